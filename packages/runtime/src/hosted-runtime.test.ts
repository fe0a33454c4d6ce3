import { checkTurnLog, ScriptedAgent, settle } from "@openaxon/broker/test-support";
import { seededRng } from "@openaxon/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RuntimeManager } from "./runtime-manager.js";
import {
  type HoldableAgent,
  type RuntimeFixture,
  runtimeFixture,
  suspendAfter,
} from "./test-support/runtime-fixture.js";

let f: RuntimeFixture;
let agent: HoldableAgent;

beforeEach(async () => {
  f = await runtimeFixture();
  agent = f.agent as HoldableAgent;
});
afterEach(() => f.cleanup());

const IDLE_MS = 60_000;

/** Turn-lifecycle transcript for checkTurnLog. */
const turnLog = async () =>
  (await f.transcript()).map((e) => ({ type: e.type, payload: e.payload as Record<string, unknown> }));

describe("idle suspend and wake", () => {
  it("suspends after idle_time_seconds without a turn and wakes on the next user.message with the same session", async () => {
    const rt = await f.create({ lifecycle: suspendAfter(60) });
    expect(rt.status).toBe("running");
    const first = await f.say("hello");
    await f.turnEnd(`turn_${first}`);
    await settle(); // the broker notes idle just after it publishes turn.completed

    f.clock.advance(IDLE_MS - 1);
    await settle();
    expect(f.statusOf(rt.id)).toBe("running");
    f.clock.advance(1);
    await f.reach(rt.id, "suspended");
    expect(f.manager.getRuntime(rt.id).statusReason).toBe("idle for 60s");
    expect(agent.running).toBe(false);

    const second = await f.say("again");
    await f.reach(rt.id, "running");
    await f.turnEnd(`turn_${second}`);
    expect(agent.starts.map((s) => s.resumeSessionId)).toEqual([undefined, "sess_1"]);
    expect(agent.prompts.map((p) => p.content)).toEqual(["hello", "again"]);

    expect(await f.types()).toEqual([
      "runtime.running",
      "session.started",
      "user.message",
      "turn.started",
      "turn.message_chunk",
      "turn.completed",
      "runtime.suspended",
      "user.message",
      "runtime.resumed",
      "session.started",
      "turn.started",
      "turn.message_chunk",
      "turn.completed",
    ]);
    expect(await f.runtimeEvents()).toEqual([
      ["runtime.running", undefined],
      ["runtime.suspended", "idle for 60s"],
      ["runtime.resumed", `woken by user.message at sequence ${second} in ${f.axonId}`],
    ]);
    const suspended = (await f.events()).find((e) => e.eventType === "runtime.suspended")!;
    expect(suspended.origin).toBe(4);
    expect(JSON.parse(suspended.payload)).toEqual({ runtime_id: rt.id, reason: "idle for 60s" });
  });

  it("counts idle time only from the end of the last turn, never during a running turn", async () => {
    agent.script = () => [
      { type: "wait", gate: "g" },
      { type: "completed", stopReason: "end_turn" },
    ];
    const rt = await f.create({ lifecycle: suspendAfter(60) });
    const seq = await f.say("long");
    await f.waitFor((e) => e.eventType === "turn.started");
    f.clock.advance(10 * IDLE_MS);
    await settle();
    expect(f.statusOf(rt.id)).toBe("running");

    agent.release("g");
    await f.turnEnd(`turn_${seq}`);
    await settle();
    f.clock.advance(IDLE_MS - 1);
    await settle();
    expect(f.statusOf(rt.id)).toBe("running");
    f.clock.advance(1);
    await f.reach(rt.id, "suspended");
  });

  it("shuts down after the idle time when on_idle is shutdown; later messages do not start it", async () => {
    const rt = await f.create({
      lifecycle: { idleTimeSeconds: 30, onIdle: "shutdown", resumeOnAxonEvent: true },
    });
    f.clock.advance(30_000);
    await f.reach(rt.id, "shutdown");
    await f.say("anyone?");
    await settle();
    expect(f.statusOf(rt.id)).toBe("shutdown");
    expect(agent.starts).toHaveLength(1);
    expect(await f.runtimeEvents()).toEqual([
      ["runtime.running", undefined],
      ["runtime.shutdown", "idle for 30s"],
    ]);
  });

  it("without resume_triggers.axon_event, a message waits until ResumeRuntime, then runs", async () => {
    const rt = await f.create({ lifecycle: suspendAfter(60, false) });
    f.clock.advance(IDLE_MS);
    await f.reach(rt.id, "suspended");
    const seq = await f.say("wait for me");
    await settle(50);
    expect(f.statusOf(rt.id)).toBe("suspended");
    expect(await f.types()).not.toContain("turn.started");

    const resumed = await f.manager.resumeRuntime(rt.id);
    expect(resumed.status).toBe("running");
    await f.turnEnd(`turn_${seq}`);
    expect(agent.starts[1]?.resumeSessionId).toBe("sess_1");
    expect((await f.runtimeEvents()).at(-1)).toEqual(["runtime.resumed", "resumed by request"]);
  });

  it("a wake racing a suspend ends running, with the racing message handled exactly once", async () => {
    const rt = await f.create({ lifecycle: suspendAfter(60) });
    agent.holdStops();
    f.clock.advance(IDLE_MS);
    await f.reach(rt.id, "suspending");
    const seq = await f.say("racing the suspend");
    await settle();
    agent.releaseStops();

    await f.turnEnd(`turn_${seq}`);
    await f.reach(rt.id, "running");
    await settle();
    expect(agent.prompts.map((p) => p.content)).toEqual(["racing the suspend"]);
    expect((await f.runtimeEvents()).map(([type]) => type)).toEqual([
      "runtime.running",
      "runtime.suspended",
      "runtime.resumed",
    ]);
    checkTurnLog(await turnLog(), [seq]);
  });

  it("a message arriving right as the idle timer fires is never lost", async () => {
    const rt = await f.create({ lifecycle: suspendAfter(60) });
    // Published before the timer fires, but not yet seen by the broker when the suspend decides.
    const pending = f.say("just in time");
    f.clock.advance(IDLE_MS);
    const seq = await pending;
    await f.turnEnd(`turn_${seq}`);
    await settle();
    checkTurnLog(await turnLog(), [seq]);
    expect(["running", "suspended"]).toContain(f.statusOf(rt.id));
  });

  it("never wakes for the agent's or the system's own events", async () => {
    const rt = await f.create({ lifecycle: suspendAfter(60) });
    f.clock.advance(IDLE_MS);
    await f.reach(rt.id, "suspended");
    await f.publish("user.message", { content: "from the agent" }, 2);
    await f.publish("user.message", { content: "from the system" }, 4);
    await f.publish("turn.message_chunk", { turn_id: "turn_1", text: "x" }, 2);
    await settle(50);
    expect(f.statusOf(rt.id)).toBe("suspended");
    await f.say("from a webhook", 1);
    await f.reach(rt.id, "running");
  });
});

describe("suspend and resume by request", () => {
  it("interrupts the running turn, keeps queued messages for resume, and wakes only for newer messages", async () => {
    agent.script = (input) =>
      input.content === "slow"
        ? [{ type: "wait", gate: "never" }]
        : [
            { type: "message_chunk", text: `re: ${input.content}` },
            { type: "completed", stopReason: "end_turn" },
          ];
    const rt = await f.create({ lifecycle: suspendAfter(60) });
    const slow = await f.say("slow");
    await f.waitFor((e) => e.eventType === "turn.started");
    const queued = await f.say("queued");
    await settle();

    const suspended = await f.manager.suspendRuntime(rt.id);
    expect(suspended).toMatchObject({ status: "suspended", statusReason: "suspended by request" });
    const slowEnd = await f.turnEnd(`turn_${slow}`);
    expect(JSON.parse(slowEnd.payload).error).toBe("interrupted: broker stopped");
    await settle(50);
    expect(f.statusOf(rt.id)).toBe("suspended");
    expect(agent.prompts.map((p) => p.content)).toEqual(["slow"]);

    const newer = await f.say("newer");
    await f.reach(rt.id, "running");
    await f.turnEnd(`turn_${newer}`);
    expect(agent.prompts.map((p) => p.content)).toEqual(["slow", "queued", "newer"]);
    checkTurnLog(await turnLog(), [slow, queued, newer]);
  });

  it("is idempotent where that is harmless and refuses what cannot be done", async () => {
    const rt = await f.create({ lifecycle: suspendAfter(60) });
    expect((await f.manager.resumeRuntime(rt.id)).status).toBe("running");
    await f.manager.suspendRuntime(rt.id);
    expect((await f.manager.suspendRuntime(rt.id)).status).toBe("suspended");
    const down = await f.manager.shutdownRuntime(rt.id);
    expect(down).toMatchObject({ status: "shutdown", statusReason: "shut down by request" });
    expect((await f.manager.shutdownRuntime(rt.id)).status).toBe("shutdown");
    await expect(f.manager.suspendRuntime(rt.id)).rejects.toThrow(/is shut down and cannot be suspended/);
    await expect(f.manager.resumeRuntime(rt.id)).rejects.toThrow(/is shut down and cannot be resumed/);
    expect((await f.runtimeEvents()).map(([type]) => type)).toEqual([
      "runtime.running",
      "runtime.suspended",
      "runtime.shutdown",
    ]);
  });
});

describe("several mounts", () => {
  it("idles only when every mount is idle, announces in every axon, and wakes all agents from any axon", async () => {
    const agents: ScriptedAgent[] = [];
    const manager = new RuntimeManager({
      store: f.store,
      clock: f.clock,
      rng: seededRng(99),
      adapters: {
        acp: () => {
          const a = new ScriptedAgent((input) =>
            input.content === "slow"
              ? [
                  { type: "wait", gate: "g" },
                  { type: "completed", stopReason: "end_turn" },
                ]
              : [{ type: "completed", stopReason: "end_turn" }],
          );
          agents.push(a);
          return a;
        },
      },
      workdirRoot: f.workdirRoot,
      hostEnv: { PATH: process.env.PATH },
    });
    await manager.start();
    try {
      const other = await f.newAxon();
      const rt = await manager.createRuntime({
        name: "two",
        mounts: [f.mount(), f.mount({ axonId: other })],
        lifecycle: suspendAfter(60),
        env: {},
      });
      expect(agents).toHaveLength(2);
      const slow = await f.say("slow");
      await f.waitFor((e) => e.eventType === "turn.started");
      f.clock.advance(IDLE_MS * 2);
      await settle();
      expect(manager.getRuntime(rt.id).status).toBe("running");
      agents[0]!.release("g");
      await f.turnEnd(`turn_${slow}`);
      await settle();
      f.clock.advance(IDLE_MS);
      await vi.waitFor(() => expect(manager.getRuntime(rt.id).status).toBe("suspended"));

      await f.store.append(other, [
        { origin: 3, source: "test", eventType: "user.message", payload: JSON.stringify({ content: "hi" }) },
      ]);
      await vi.waitFor(() => expect(manager.getRuntime(rt.id).status).toBe("running"));
      expect(agents).toHaveLength(4);
      for (const axonId of [f.axonId, other]) {
        const types = (await f.store.read(axonId, { afterSequence: 0, limit: 100 }))
          .map((e) => e.eventType)
          .filter((t) => t.startsWith("runtime."));
        expect(types).toEqual(["runtime.running", "runtime.suspended", "runtime.resumed"]);
      }
    } finally {
      await manager.close();
    }
  });
});
