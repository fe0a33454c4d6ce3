import { turnIdFor as brokerTurnIdFor } from "@openaxon/broker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AxonClient,
  type AxonEvent,
  createAxonClient,
  describeTurnEvent,
  type RuntimeMountInput,
  TurnFailedError,
  turnIdFor,
  turnIdOf,
} from "../src/index.js";
import { type RealServer, startRealServer } from "../src/test-support/index.js";

// A real server over classic-level with a real RuntimeManager running real programs as agents
// (sh, cat), driven only through the SDK.

let real: RealServer;
let client: AxonClient;

beforeAll(async () => {
  real = await startRealServer({ runtimes: true, cancelGraceMs: 5_000 });
  client = createAxonClient({ baseUrl: real.url, source: "sdk-test" });
});

afterAll(async () => {
  await real.close();
});

/** A new axon with a runtime whose single mount runs `agent`. */
async function axonWithAgent(agent: Omit<RuntimeMountInput, "axonId" | "protocol">): Promise<string> {
  const { id } = await client.axons.create();
  const runtime = await client.runtimes.create({ mounts: [{ axonId: id, protocol: "stdio", ...agent }] });
  expect(runtime.status).toBe("running");
  return id;
}

const sh = (script: string, extra: Partial<RuntimeMountInput> = {}) => ({
  agentBinary: "sh",
  launchArgs: ["-c", script],
  ...extra,
});

async function collect(turn: AsyncIterable<AxonEvent>): Promise<AxonEvent[]> {
  const events: AxonEvent[] = [];
  for await (const event of turn) events.push(event);
  return events;
}

/**
 * A jsonl agent (adapter-stdio's protocol) that asks permission before every reply and says what
 * it was told: "chose <option>", or "rejected" for a rejection without an option.
 */
const ASKING_AGENT = `
while IFS= read -r line; do
  case "$line" in
    *'"type":"start"'*) printf '{"type":"session","session_id":"s1"}\\n' ;;
    *'"type":"prompt"'*)
      printf '{"type":"tool_call","tool_call_id":"t1","title":"rm -rf build","kind":"execute","status":"pending"}\\n'
      printf '{"type":"permission_request","request_id":"r1","tool_call":{"tool_call_id":"t1","title":"rm -rf build","kind":"execute","status":"pending"},"options":[{"option_id":"yes","name":"Allow","kind":"allow_once"},{"option_id":"no","name":"Reject","kind":"reject_once"}]}\\n' ;;
    *'"type":"permission_response"'*'"outcome":"selected"'*)
      option=$(printf '%s' "$line" | sed -n 's/.*"option_id":"\\([^"]*\\)".*/\\1/p')
      printf '{"type":"message_chunk","text":"chose %s"}\\n' "$option"
      printf '{"type":"completed","stop_reason":"end_turn"}\\n' ;;
    *'"type":"permission_response"'*)
      printf '{"type":"message_chunk","text":"rejected"}\\n'
      printf '{"type":"completed","stop_reason":"end_turn"}\\n' ;;
  esac
done
`;

describe("agentSession", () => {
  it("derives turn ids exactly as the broker does", () => {
    for (const sequence of [1, 2, 42, 9_007_199_254_740_991]) {
      expect(turnIdFor(sequence)).toBe(brokerTurnIdFor(sequence));
    }
  });

  it("prompts a real agent and reads its reply, event by event and as text", async () => {
    const axonId = await axonWithAgent({ agentBinary: "cat" });
    const turn = await client.agentSession(axonId).prompt("hello, cat");

    const events = await collect(turn);
    const types = events.map((event) => event.eventType);
    expect(types[0]).toBe("turn.started");
    expect(types.at(-1)).toBe("turn.completed");
    expect(types).toContain("turn.message_chunk");
    expect(events.every((event) => turnIdOf(event) === turn.id)).toBe(true);
    expect(describeTurnEvent(events[0]!)).toEqual({
      type: "started",
      turnId: turn.id,
      triggerSequence: turn.triggerSequence,
    });

    expect(await turn.text()).toBe("hello, cat");
    expect(await turn.result).toEqual({ status: "completed", turnId: turn.id, stopReason: "end_turn" });
    expect(turn.done).toBe(true);

    // The message went in as the vocabulary says: user.message {content}, USER origin.
    const [trigger] = (
      await client.axon(axonId).events({ afterSequence: turn.triggerSequence - 1, limit: 1 })
    ).events;
    expect(trigger).toMatchObject({ eventType: "user.message", origin: "user", source: "sdk-test" });
    expect(trigger!.data()).toEqual({ content: "hello, cat" });
  });

  it("keeps queued turns apart: each turn yields only its own events, in trigger order", async () => {
    const axonId = await axonWithAgent(sh("cat; sleep 0.2"));
    const session = client.agentSession(axonId);
    const first = await session.prompt("first");
    const second = await session.prompt([{ type: "text", text: "second" }]);
    expect(second.triggerSequence).toBeGreaterThan(first.triggerSequence);

    const [firstEvents, secondEvents] = await Promise.all([collect(first), collect(second)]);
    expect(firstEvents.every((event) => turnIdOf(event) === first.id)).toBe(true);
    expect(secondEvents.every((event) => turnIdOf(event) === second.id)).toBe(true);
    expect(await first.text()).toBe("first");
    expect(await second.text()).toBe("second");
    // Strictly one at a time: the second starts after the first ended.
    expect(secondEvents[0]!.sequence).toBeGreaterThan(firstEvents.at(-1)!.sequence);
  });

  it("cancels the running turn and a queued one", async () => {
    const axonId = await axonWithAgent(sh("echo working; sleep 30"));
    const session = client.agentSession(axonId);
    const running = await session.prompt("long job");
    const queued = await session.prompt("never runs");

    for await (const event of running) {
      if (event.eventType === "turn.message_chunk") break;
    }
    // The queued one first: once the running turn ends, the queued one would start.
    await queued.cancel();
    await running.cancel();

    expect(await running.result).toEqual({
      status: "completed",
      turnId: running.id,
      stopReason: "cancelled",
    });
    expect(await running.text()).toBe("working\n");
    expect(await queued.result).toEqual({ status: "completed", turnId: queued.id, stopReason: "cancelled" });
    // A turn's own turn.cancel is one of its events; a queued turn ends without starting.
    expect((await collect(queued)).map((event) => event.eventType)).toEqual([
      "turn.cancel",
      "turn.completed",
    ]);

    const cancels = (await client.axon(axonId).events({ limit: 100 })).events.filter(
      (event) => event.eventType === "turn.cancel",
    );
    expect(cancels.map((event) => [event.origin, event.data()])).toEqual([
      ["user", { turn_id: queued.id }],
      ["user", { turn_id: running.id }],
    ]);
  });

  it("surfaces permission requests under policy ask and delivers the answer to the agent", async () => {
    const axonId = await axonWithAgent(
      sh(ASKING_AGENT, { launchArgs: ["--jsonl", "-c", ASKING_AGENT], permissionPolicy: "ask" }),
    );
    const session = client.agentSession(axonId);

    const allowed = await session.prompt("clean up");
    for await (const event of allowed) {
      const view = describeTurnEvent(event);
      if (view.type !== "permission_request") continue;
      expect(view.toolCall).toMatchObject({ toolCallId: "t1", title: "rm -rf build", kind: "execute" });
      expect(view.options.map((option) => option.optionId)).toEqual(["yes", "no"]);
      expect(allowed.pendingPermissions.map((request) => request.requestId)).toEqual([view.requestId]);
      await allowed.respondToPermission(view.requestId, "yes");
    }
    expect(await allowed.text()).toBe("chose yes");
    expect(allowed.pendingPermissions).toEqual([]);

    const rejected = await session.prompt("clean up again");
    for await (const event of rejected) {
      const view = describeTurnEvent(event);
      if (view.type === "permission_request") await rejected.respondToPermission(view.requestId, "rejected");
    }
    // The broker answers a rejection with the agent's own reject option when it offers one.
    expect(await rejected.text()).toBe("chose no");

    const responses = (await client.axon(axonId).events({ limit: 100 })).events.filter(
      (event) => event.eventType === "permission.response",
    );
    expect(responses.map((event) => [event.origin, event.data()])).toEqual([
      ["user", { request_id: `perm_${allowed.triggerSequence}_1`, option_id: "yes" }],
      ["user", { request_id: `perm_${rejected.triggerSequence}_1`, outcome: "rejected" }],
    ]);
  });

  it("reports a failed turn as a result, and text() rejects with the agent's error", async () => {
    const axonId = await axonWithAgent(sh("echo partial; echo boom >&2; exit 3"));
    const turn = await client.agentSession(axonId).prompt("fail please");

    const result = await turn.result;
    expect(result.status).toBe("failed");
    const error = await turn.text().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TurnFailedError);
    expect((error as TurnFailedError).turnId).toBe(turn.id);
    expect((error as TurnFailedError).message).toMatch(/exit(ed)?( with)?( code)? 3/);
    expect((error as TurnFailedError).error).toContain("boom");
    expect((error as TurnFailedError).partialText).toBe("partial\n");

    // The next turn still works.
    const again = await client.agentSession(axonId).prompt("again");
    expect((await again.result).status).toBe("failed");
  });

  it("retried prompts with one idempotency key follow one turn", async () => {
    const axonId = await axonWithAgent({ agentBinary: "cat" });
    const session = client.agentSession(axonId);
    const first = await session.prompt("once", { idempotencyKey: "k1" });
    const retry = await session.prompt("once", { idempotencyKey: "k1" });
    expect(retry.id).toBe(first.id);
    expect(await retry.text()).toBe("once");
    const started = (await client.axon(axonId).events({ limit: 100 })).events.filter(
      (event) => event.eventType === "turn.started",
    );
    expect(started).toHaveLength(1);
  });

  it("wakes a suspended runtime and reports the runtime's events as notices", async () => {
    const { id: axonId } = await client.axons.create();
    const runtime = await client.runtimes.create({
      mounts: [{ axonId, protocol: "stdio", agentBinary: "cat" }],
    });
    expect((await client.runtimes.suspend(runtime.id)).status).toBe("suspended");

    const notices: string[] = [];
    const turn = await client
      .agentSession(axonId)
      .prompt("wake up", { onNotice: (event) => notices.push(event.eventType) });
    expect(await turn.text()).toBe("wake up");
    expect(notices).toContain("runtime.resumed");
    expect((await client.runtimes.get(runtime.id)).status).toBe("running");
  });

  it("stops following when closed, without cancelling the turn", async () => {
    const axonId = await axonWithAgent(sh("sleep 0.3; cat"));
    const session = client.agentSession(axonId);
    const abort = new AbortController();
    const turn = await session.prompt("later", { signal: abort.signal });
    abort.abort();
    await expect(turn.result).rejects.toThrow(/stopped following turn_\d+ before it ended/);
    // The turn itself ran to the end; a new follower sees it.
    expect(await session.turn(turn.triggerSequence).text()).toBe("later");
  });
});
