import { checkTurnLog, ScriptedAgent, settle } from "@openaxon/broker/test-support";
import { EventType } from "@openaxon/protocol/vocabulary";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidRuntimeError, RuntimeNotFoundError, RuntimeStateError } from "./errors.js";
import { RUNTIME_RECORD_KIND, type RuntimeRecord } from "./runtime-record.js";
import {
  HoldableAgent,
  type RuntimeFixture,
  runtimeFixture,
  suspendAfter,
} from "./test-support/runtime-fixture.js";

const text = (content: unknown) => (typeof content === "string" ? content : JSON.stringify(content));

let f: RuntimeFixture;
let a: HoldableAgent;
let b: ScriptedAgent;

beforeEach(async () => {
  a = new HoldableAgent((input) => [
    ...(text(input.content) === "long" ? [{ type: "wait" as const, gate: "go" }] : []),
    { type: "message_chunk", text: `A says: ${text(input.content)}` },
    { type: "completed", stopReason: "end_turn" },
  ]);
  b = new ScriptedAgent(undefined, { protocol: "stdio" });
  f = await runtimeFixture(a, { adapters: { acp: () => a, stdio: () => b } });
});
afterEach(() => f.cleanup());

const payloads = async (type: string) =>
  (await f.events()).filter((e) => e.eventType === type).map((e) => JSON.parse(e.payload));

describe("updateRuntime: a new agent at the next turn boundary", () => {
  it("the running turn finishes on agent A, the queued one runs on B, primed with A's turns", async () => {
    const rt = await f.create();
    const first = await f.say("My name is Ada.");
    await f.turnEnd(`turn_${first}`);
    const long = await f.say("long");
    await f.waitFor((e) => e.eventType === EventType.TurnStarted && e.payload.includes(`turn_${long}`));
    const next = await f.say("What is my name?");

    const updated = await f.manager.updateRuntime(rt.id, {
      mount: { protocol: "stdio", agentBinary: "cat" },
    });
    expect(updated.mounts[0]).toMatchObject({ protocol: "stdio", agentBinary: "cat" });
    expect(await f.store.getRecord<RuntimeRecord>(RUNTIME_RECORD_KIND, rt.id)).toMatchObject({
      mounts: [{ protocol: "stdio", agentBinary: "cat" }],
    });
    await settle();
    expect(b.prompts).toEqual([]);
    a.release("go");
    await f.turnEnd(`turn_${next}`);

    expect(a.prompts.map((p) => text(p.content))).toEqual(["My name is Ada.", "long"]);
    expect(b.prompts).toHaveLength(1);
    const primed = text(b.prompts[0]!.content);
    expect(primed).toContain("User: My name is Ada.");
    expect(primed).toContain("Agent: A says: My name is Ada.");
    expect(primed).toContain("Agent: A says: long");
    expect(primed.endsWith("What is my name?")).toBe(true);
    const [update] = await payloads(EventType.RuntimeUpdated);
    expect(update).toMatchObject({ runtime_id: rt.id, axon_id: f.axonId, resume_session: false });
    const ends = await payloads(EventType.TurnCompleted);
    expect(ends.map((e) => e.turn_id)).toEqual([`turn_${first}`, `turn_${long}`, `turn_${next}`]);
    checkTurnLog(
      (await f.events()).map((e) => ({ type: e.eventType, payload: JSON.parse(e.payload) })),
      [first, long, next],
    );
  });

  it("a model change restarts the agent with the model and resumes its session; no priming", async () => {
    const rt = await f.create();
    await f.turnEnd(`turn_${await f.say("hi")}`);
    await f.manager.updateRuntime(rt.id, { mount: { model: "model-2" } });
    const seq = await f.say("again");
    await f.turnEnd(`turn_${seq}`);
    expect(a.lastStart?.env.OPENAXON_MODEL).toBe("model-2");
    expect(a.lastStart?.resumeSessionId).toBe("sess_1");
    expect(text(a.prompts.at(-1)!.content)).toBe("again");
    expect(await payloads(EventType.SessionPrimed)).toEqual([]);
  });

  it("a lifecycle change applies without replacing the agent", async () => {
    const rt = await f.create();
    const starts = a.starts.length;
    await f.manager.updateRuntime(rt.id, { lifecycle: suspendAfter(5) });
    f.clock.advance(5_000);
    await f.reach(rt.id, "suspended");
    expect(a.starts.length).toBe(starts);
  });

  it("a suspended runtime wakes with the new agent", async () => {
    const rt = await f.create();
    await f.turnEnd(`turn_${await f.say("remember teal")}`);
    await f.manager.suspendRuntime(rt.id);
    await f.manager.updateRuntime(rt.id, { mount: { protocol: "stdio", agentBinary: "cat" } });
    const seq = await f.say("which colour?");
    await f.turnEnd(`turn_${seq}`);
    expect(text(b.prompts[0]!.content)).toContain("User: remember teal");
  });

  it("refuses unknown runtimes, shut-down ones and bad fields", async () => {
    const rt = await f.create();
    await expect(f.manager.updateRuntime("rt_0000000000000000000000000", { env: {} })).rejects.toBeInstanceOf(
      RuntimeNotFoundError,
    );
    const missing = await f.manager
      .updateRuntime(rt.id, { mount: { agentBinary: "no-such-agent-xyz" } })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(InvalidRuntimeError);
    expect((missing as Error).message).toMatch(/^mount\.agent_binary: .*no-such-agent-xyz not found/);
    expect(f.manager.getRuntime(rt.id).mounts[0]!.agentBinary).toBe("sh");
    await f.manager.shutdownRuntime(rt.id);
    await expect(f.manager.updateRuntime(rt.id, { env: {} })).rejects.toBeInstanceOf(RuntimeStateError);
    expect(await payloads(EventType.RuntimeUpdated)).toEqual([]);
  });

  it("a shutdown while the hand-off waits for a turn interrupts it", async () => {
    const rt = await f.create();
    const long = await f.say("long");
    await f.waitFor((e) => e.eventType === EventType.TurnStarted);
    await f.manager.updateRuntime(rt.id, { mount: { protocol: "stdio", agentBinary: "cat" } });
    await settle();
    await f.manager.shutdownRuntime(rt.id);
    const end = await f.turnEnd(`turn_${long}`);
    expect(end.eventType).toBe(EventType.TurnFailed);
    expect(f.statusOf(rt.id)).toBe("shutdown");
    expect(b.starts).toEqual([]);
  });
});
