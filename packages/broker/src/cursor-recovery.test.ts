import { describe, expect, it } from "vitest";
import type { AxonLink } from "./axon-link.js";
import { Origin } from "./axon-link.js";
import { recoverBrokerState } from "./cursor-recovery.js";
import { axonFixture } from "./test-support/index.js";

/** Writes what a broker with source "broker" would have written. */
async function brokerWrote(fx: Awaited<ReturnType<typeof axonFixture>>, eventType: string, payload: unknown) {
  return fx.publish(eventType, payload, Origin.System, "broker");
}

describe("recoverBrokerState", () => {
  it("finds nothing on an empty axon", async () => {
    const fx = await axonFixture();
    expect(await recoverBrokerState(fx.link, fx.axonId, { source: "broker" })).toEqual({
      headSequence: 0,
      sessionId: undefined,
      needsPriming: false,
      pending: [],
      cancelledWhileQueued: [],
      interrupted: [],
    });
  });

  it("runs every trigger of an axon the broker never touched, in order", async () => {
    const fx = await axonFixture();
    await fx.publish("user.message", { content: "a" });
    await fx.publish("note", {});
    await fx.publish("user.message", { content: "b" }, Origin.External);
    const state = await recoverBrokerState(fx.link, fx.axonId, { source: "broker", pageSize: 2 });
    expect(state.headSequence).toBe(3);
    expect(state.pending).toEqual([
      { turnId: "turn_1", triggerSequence: 1, content: "a" },
      { turnId: "turn_3", triggerSequence: 3, content: "b" },
    ]);
  });

  it("after a crash mid-turn: the open turn is interrupted, later triggers pend, the session is found", async () => {
    const fx = await axonFixture();
    await brokerWrote(fx, "session.started", {
      protocol: "acp",
      agent_session_id: "sess_A",
      restored_by: "new",
    });
    await fx.publish("user.message", { content: "one" }); // 2
    await brokerWrote(fx, "turn.started", { turn_id: "turn_2", trigger_sequence: 2 });
    await brokerWrote(fx, "turn.completed", { turn_id: "turn_2", stop_reason: "end_turn" });
    await fx.publish("user.message", { content: "two" }); // 5
    await brokerWrote(fx, "turn.started", { turn_id: "turn_5", trigger_sequence: 5 });
    await fx.publish("turn.message_chunk", { turn_id: "turn_5", text: "half" }, Origin.Agent);
    await fx.publish("user.message", { content: "three" }); // 8
    const state = await recoverBrokerState(fx.link, fx.axonId, { source: "broker", pageSize: 3 });
    expect(state).toEqual({
      headSequence: 8,
      sessionId: "sess_A",
      needsPriming: false,
      pending: [{ turnId: "turn_8", triggerSequence: 8, content: "three" }],
      cancelledWhileQueued: [],
      interrupted: [{ turnId: "turn_5", triggerSequence: 5, content: "two" }],
    });
  });

  it("remembers a waiting trigger cancelled before the running turn ended, so it never runs", async () => {
    const fx = await axonFixture();
    await fx.publish("user.message", { content: "a" }); // 1
    await brokerWrote(fx, "turn.started", { turn_id: "turn_1", trigger_sequence: 1 });
    await fx.publish("user.message", { content: "b" }); // 3
    await fx.publish("user.message", { content: "c" }); // 4
    await fx.publish("turn.cancel", { turn_id: "turn_4" });
    await brokerWrote(fx, "turn.completed", { turn_id: "turn_4", stop_reason: "cancelled" });
    await brokerWrote(fx, "turn.completed", { turn_id: "turn_1", stop_reason: "end_turn" });
    await brokerWrote(fx, "turn.started", { turn_id: "turn_3", trigger_sequence: 3 }); // then a crash
    const state = await recoverBrokerState(fx.link, fx.axonId, { source: "broker" });
    expect(state.interrupted.map((t) => t.turnId)).toEqual(["turn_3"]);
    expect(state.pending).toEqual([]);
    expect(state.cancelledWhileQueued).toEqual([]);
  });

  it("applies a cancel that arrived while no broker ran: the trigger is to be closed, not run", async () => {
    const fx = await axonFixture();
    await fx.publish("user.message", { content: "a" });
    await fx.publish("user.message", { content: "b" });
    await fx.publish("turn.cancel", { turn_id: "turn_1" });
    await fx.publish("turn.cancel", { turn_id: "turn_2" }, Origin.Agent); // not a user's: ignored
    const state = await recoverBrokerState(fx.link, fx.axonId, { source: "broker" });
    expect(state.cancelledWhileQueued.map((t) => t.turnId)).toEqual(["turn_1"]);
    expect(state.pending.map((t) => t.turnId)).toEqual(["turn_2"]);
  });

  it("counts only its own SYSTEM events: another source's turn.started is not its cursor", async () => {
    const fx = await axonFixture();
    await fx.publish("user.message", { content: "a" });
    await fx.store.append(fx.axonId, [
      {
        origin: Origin.System,
        source: "other-broker",
        eventType: "turn.started",
        payload: '{"turn_id":"turn_1","trigger_sequence":1}',
      },
    ]);
    await fx.publish("turn.started", { turn_id: "turn_1", trigger_sequence: 1 }, Origin.User);
    const state = await recoverBrokerState(fx.link, fx.axonId, { source: "broker" });
    expect(state.pending.map((t) => t.turnId)).toEqual(["turn_1"]);
    expect(state.interrupted).toEqual([]);
  });

  it("replays only from the newest started trigger, not the whole history", async () => {
    const fx = await axonFixture();
    for (let i = 0; i < 50; i++) {
      const t = await fx.publish("user.message", { content: `m${i}` });
      await brokerWrote(fx, "turn.started", { turn_id: `turn_${t}`, trigger_sequence: t });
      await brokerWrote(fx, "turn.completed", { turn_id: `turn_${t}`, stop_reason: "end_turn" });
    }
    await brokerWrote(fx, "session.started", { protocol: "acp", agent_session_id: "s", restored_by: "new" });
    const ascendingFrom: number[] = [];
    const spy: AxonLink = {
      ...fx.link,
      read: (axonId, options) => {
        if (!options.descending) ascendingFrom.push(options.afterSequence);
        return fx.link.read(axonId, options);
      },
    };
    const state = await recoverBrokerState(spy, fx.axonId, { source: "broker", pageSize: 4 });
    expect(state.pending).toEqual([]);
    expect(state.sessionId).toBe("s");
    expect(Math.min(...ascendingFrom)).toBe(148 - 1);
  });
});
