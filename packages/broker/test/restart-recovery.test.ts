import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { Broker, Origin } from "../src/index.js";
import {
  type AxonFixture,
  axonFixture,
  checkTurnLog,
  ScriptedAgent,
  settle,
  severableLink,
} from "../src/test-support/index.js";

const live: Broker[] = [];
afterEach(async () => {
  await Promise.all(live.splice(0).map((b) => b.stop()));
});

function newBroker(fx: AxonFixture, agent: ScriptedAgent) {
  const broker = new Broker({
    axonId: fx.axonId,
    link: fx.link,
    adapter: agent,
    clock: fx.clock,
    agent: { cwd: "/", env: {} },
  });
  live.push(broker);
  return broker;
}

const gated = () =>
  new ScriptedAgent((input) => [
    { type: "wait", gate: "go" },
    { type: "message_chunk", text: `reply to ${input.content}` },
    { type: "completed", stopReason: "end_turn" },
  ]);

describe("restart recovery", () => {
  it("a new broker continues where a stopped one left off: no turn twice, none skipped, same session", async () => {
    const fx = await axonFixture();
    const first = gated();
    const a = newBroker(fx, first);
    await a.start();
    const t1 = await fx.publish("user.message", { content: "one" });
    first.release("go");
    await fx.turnEnd(`turn_${t1}`);
    const t2 = await fx.publish("user.message", { content: "two" });
    const t3 = await fx.publish("user.message", { content: "three" });
    await fx.waitFor((e) => e.eventType === "turn.started" && JSON.parse(e.payload).turn_id === `turn_${t2}`);
    await a.stop(); // mid-turn two, with three queued

    // Triggers that arrive while no broker runs wait in the axon.
    const t4 = await fx.publish("user.message", { content: "four" });

    const second = gated();
    second.release("go", 10);
    const b = newBroker(fx, second);
    await b.start();
    await fx.turnEnd(`turn_${t4}`);

    expect(first.prompts.map((p) => p.content)).toEqual(["one", "two"]);
    expect(second.prompts.map((p) => p.content)).toEqual(["three", "four"]);
    expect(second.starts[0]?.resumeSessionId).toBe("sess_1");
    const events = await fx.transcript();
    expect(
      events
        .filter((e) => e.payload.turn_id === `turn_${t2}` && e.type === "turn.failed")
        .map((e) => e.payload.error),
    ).toEqual(["interrupted: broker stopped"]);
    checkTurnLog(events, [t1, t2, t3, t4]);
  });

  it("after a crash mid-turn (no stop), the interrupted turn gets turn.failed and is not re-run", async () => {
    const fx = await axonFixture();
    // What a broker that died mid-turn leaves behind.
    const sys = (type: string, payload: unknown) => fx.publish(type, payload, Origin.System, "broker");
    await sys("session.started", {
      protocol: "acp",
      agent_session_id: "sess_before_crash",
      restored_by: "new",
    });
    const t1 = await fx.publish("user.message", { content: "one" });
    await sys("turn.started", { turn_id: `turn_${t1}`, trigger_sequence: t1 });
    await fx.publish("turn.message_chunk", { turn_id: `turn_${t1}`, text: "half an ans" }, Origin.Agent);
    const t2 = await fx.publish("user.message", { content: "two" });

    const agent = new ScriptedAgent();
    const broker = newBroker(fx, agent);
    await broker.start();
    await fx.turnEnd(`turn_${t2}`);

    const events = await fx.transcript();
    const after = events.slice(t2);
    expect(after.map((e) => [e.type, e.payload])).toEqual([
      ["turn.failed", { turn_id: `turn_${t1}`, error: "interrupted: broker restarted" }],
      ["session.started", { protocol: "acp", agent_session_id: "sess_before_crash", restored_by: "resume" }],
      ["turn.started", { turn_id: `turn_${t2}`, trigger_sequence: t2 }],
      ["turn.message_chunk", { turn_id: `turn_${t2}`, text: "echo: two" }],
      ["turn.completed", { turn_id: `turn_${t2}`, stop_reason: "end_turn" }],
    ]);
    expect(agent.prompts.map((p) => p.content)).toEqual(["two"]);
    expect(agent.starts[0]?.resumeSessionId).toBe("sess_before_crash");
  });

  it("closes a trigger cancelled while no broker ran, without running it", async () => {
    const fx = await axonFixture();
    const t1 = await fx.publish("user.message", { content: "never mind" });
    await fx.publish("turn.cancel", { turn_id: `turn_${t1}` });
    const t2 = await fx.publish("user.message", { content: "this one" });
    const agent = new ScriptedAgent();
    await newBroker(fx, agent).start();
    await fx.turnEnd(`turn_${t2}`);
    expect(JSON.parse((await fx.turnEnd(`turn_${t1}`)).payload)).toEqual({
      turn_id: `turn_${t1}`,
      stop_reason: "cancelled",
    });
    expect(agent.prompts.map((p) => p.content)).toEqual(["this one"]);
  });

  it("restarting on an idle axon runs nothing again and keeps the session", async () => {
    const fx = await axonFixture();
    const agent = new ScriptedAgent();
    const a = newBroker(fx, agent);
    await a.start();
    await fx.turnEnd(`turn_${await fx.publish("user.message", { content: "hi" })}`);
    await a.stop();
    const b = newBroker(fx, agent);
    await b.start();
    await settle();
    expect(agent.prompts).toHaveLength(1);
    expect(b.sessionId).toBe("sess_1");
    expect(b.idleSince).toBe(fx.clock.now());
  });

  it("property: triggers, agent progress, cancels, restarts and crashes in any order → every trigger ends exactly once, none runs twice", async () => {
    const action = fc.oneof(
      { arbitrary: fc.constant({ kind: "trigger" as const }), weight: 4 },
      { arbitrary: fc.constant({ kind: "step" as const }), weight: 4 },
      { arbitrary: fc.constant({ kind: "restart" as const }), weight: 1 },
      { arbitrary: fc.constant({ kind: "crash" as const }), weight: 1 },
      { arbitrary: fc.nat(20).map((back) => ({ kind: "cancel" as const, back })), weight: 1 },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 40 }), async (actions) => {
        const fx = await axonFixture();
        const agents: ScriptedAgent[] = [];
        let broker: Broker | undefined;
        let sever = () => {};
        const boot = async () => {
          const agent = gated();
          agents.push(agent);
          const severable = severableLink(fx.link);
          sever = severable.sever;
          broker = new Broker({
            axonId: fx.axonId,
            link: severable.link,
            adapter: agent,
            clock: fx.clock,
            agent: { cwd: "/", env: {} },
          });
          await broker.start();
        };
        const triggers: number[] = [];
        await boot();
        try {
          for (const a of actions) {
            if (a.kind === "trigger")
              triggers.push(await fx.publish("user.message", { content: `m${triggers.length}` }));
            else if (a.kind === "step") agents[agents.length - 1]!.release("go");
            else if (a.kind === "cancel" && triggers.length > 0) {
              const t = triggers[Math.max(0, triggers.length - 1 - a.back)]!;
              await fx.publish("turn.cancel", { turn_id: `turn_${t}` });
            } else if (a.kind === "restart") {
              await broker!.stop();
              await boot();
            } else if (a.kind === "crash") {
              // The process dies: nothing more reaches the axon, nothing is cleaned up.
              sever();
              await agents[agents.length - 1]!.stop();
              await boot();
            }
            await settle(1);
          }
          agents[agents.length - 1]!.release("go", 1_000);
          for (const t of triggers) await fx.turnEnd(`turn_${t}`);
          const events = await fx.transcript();
          checkTurnLog(events, triggers);
          // No trigger reached an agent twice, across all broker incarnations, and they came in order.
          const prompted = agents.flatMap((ag) => ag.prompts.map((p) => p.turnId));
          expect(new Set(prompted).size).toBe(prompted.length);
          expect(prompted).toEqual([...prompted].sort((x, y) => Number(x.slice(5)) - Number(y.slice(5))));
          // Every trigger that completed normally was prompted; sessions carried over on every restart.
          for (const e of events) {
            if (e.type === "turn.completed" && e.payload.stop_reason === "end_turn")
              expect(prompted).toContain(e.payload.turn_id);
          }
          for (const ag of agents.slice(1)) expect(ag.starts[0]?.resumeSessionId).toBe("sess_1");
        } finally {
          await broker!.stop();
        }
      }),
      { numRuns: 60 },
    );
  });
});
