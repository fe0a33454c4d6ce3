import { ScriptedAgent, settle } from "@openaxon/broker/test-support";
import { EventType } from "@openaxon/protocol/vocabulary";
import { afterEach, beforeEach, expect, it } from "vitest";
import { RUNTIME_RECORD_KIND, type RuntimeRecord } from "./runtime-record.js";
import { HoldableAgent, type RuntimeFixture, runtimeFixture } from "./test-support/runtime-fixture.js";

/**
 * Issue 14, found by the simulation: `runtime.updated` is written at the turn boundary — after the
 * old agent's last event, before the new agent's first — and the update waits in the runtime record
 * until then, so a server that stops (or dies) in between writes it on its next boot, once.
 */
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

const seqOf = async (predicate: (type: string, payload: Record<string, unknown>) => boolean) =>
  (await f.events()).filter((e) => predicate(e.eventType, JSON.parse(e.payload))).map((e) => e.sequence);

const storedRecord = (id: string) => f.store.getRecord<RuntimeRecord>(RUNTIME_RECORD_KIND, id);

it("runtime.updated follows the running turn's last event on the old agent and precedes the new agent's start", async () => {
  const rt = await f.create();
  const long = await f.say("long");
  await f.waitFor((e) => e.eventType === EventType.TurnStarted);
  await f.manager.updateRuntime(rt.id, { mount: { protocol: "stdio", agentBinary: "cat" } });
  await settle();
  // Not yet: the old agent is still in its turn. The update waits in the record.
  expect(await seqOf((t) => t === EventType.RuntimeUpdated)).toEqual([]);
  expect((await storedRecord(rt.id))?.pendingUpdates).toHaveLength(1);
  a.release("go");
  await f.turnEnd(`turn_${long}`);
  const next = await f.say("next");
  await f.turnEnd(`turn_${next}`);

  const [updated, ...more] = await seqOf((t) => t === EventType.RuntimeUpdated);
  expect(more).toEqual([]);
  const [longEnd] = await seqOf((t, p) => t === EventType.TurnCompleted && p.turn_id === `turn_${long}`);
  const sessions = await seqOf((t) => t === EventType.SessionStarted);
  expect(longEnd).toBeLessThan(updated!);
  expect(sessions.filter((s) => s > updated!)).toHaveLength(1);
  expect(b.prompts).toHaveLength(1);
  expect((await storedRecord(rt.id))?.pendingUpdates).toBeUndefined();
});

it("an update still waiting for its turn boundary when the server stops is written on the next boot, before the new agent starts", async () => {
  const rt = await f.create();
  await f.say("long");
  await f.waitFor((e) => e.eventType === EventType.TurnStarted);
  await f.manager.updateRuntime(rt.id, { mount: { protocol: "stdio", agentBinary: "cat" } });
  await settle();
  await f.restart();
  await f.waitFor((e) => e.eventType === EventType.SessionStarted && e.payload.includes('"stdio"'));

  const [updated, ...more] = await seqOf((t) => t === EventType.RuntimeUpdated);
  expect(more).toEqual([]);
  const [interrupted] = await seqOf((t) => t === EventType.TurnFailed);
  const [newSession] = await seqOf((t, p) => t === EventType.SessionStarted && p.protocol === "stdio");
  expect(interrupted).toBeLessThan(updated!);
  expect(updated).toBeLessThan(newSession!);
  expect((await storedRecord(rt.id))?.pendingUpdates).toBeUndefined();
});

it("a pending update written before a crash (the record still names it) is not appended again on boot", async () => {
  const rt = await f.create();
  await f.manager.suspendRuntime(rt.id);
  await f.manager.close();
  const record = (await storedRecord(rt.id))!;
  const payload = {
    runtime_id: rt.id,
    axon_id: f.axonId,
    changes: [{ field: "mount.model", old: null, new: "m2" }],
    resume_session: true,
  };
  const key = `runtime.updated:${rt.id}:1`;
  // The server died after writing the event and before dropping it from the record.
  await f.store.append(
    f.axonId,
    [{ origin: 4, source: "runtime", eventType: EventType.RuntimeUpdated, payload: JSON.stringify(payload) }],
    { idempotencyKey: key },
  );
  await f.store.putRecord(RUNTIME_RECORD_KIND, rt.id, {
    ...record,
    mounts: [{ ...record.mounts[0]!, model: "m2" }],
    updates: 1,
    pendingUpdates: [{ key, payload, restart: true }],
  });
  await f.restart({ close: false });

  expect(await seqOf((t) => t === EventType.RuntimeUpdated)).toHaveLength(1);
  expect((await storedRecord(rt.id))?.pendingUpdates).toBeUndefined();
  expect(f.statusOf(rt.id)).toBe("suspended");
});
