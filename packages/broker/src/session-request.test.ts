import { EventType } from "@openaxon/protocol/vocabulary";
import { afterEach, describe, expect, it } from "vitest";
import type { AgentSession, AgentStartOptions, TurnInput } from "./agent-adapter.js";
import { Broker } from "./broker.js";
import { type AxonFixture, axonFixture, ScriptedAgent } from "./test-support/index.js";

const brokers: Broker[] = [];
afterEach(async () => {
  await Promise.all(brokers.splice(0).map((b) => b.stop()));
});

async function startBroker(fx: AxonFixture, agent: ScriptedAgent) {
  const broker = new Broker({
    axonId: fx.axonId,
    link: fx.link,
    adapter: agent,
    clock: fx.clock,
    agent: { cwd: "/w", env: {} },
  });
  brokers.push(broker);
  await broker.start();
  return broker;
}

const say = (fx: AxonFixture, content: string) => fx.publish(EventType.UserMessage, { content });
const text = (input: TurnInput | undefined) => (typeof input?.content === "string" ? input.content : "");
const payloadsOf = async (fx: AxonFixture, type: string) =>
  (await fx.transcript()).filter((e) => e.type === type).map((e) => e.payload);

/** Knows the sessions it created; loading any other id starts a fresh one (as the jsonl adapter reports). */
class SessionKeepingAgent extends ScriptedAgent {
  private readonly known = new Set<string>();
  private n = 0;
  override async start(options: AgentStartOptions): Promise<AgentSession> {
    await super.start(options);
    const wanted = options.resumeSessionId;
    if (wanted && this.known.has(wanted)) return { sessionId: wanted, restoredBy: "load" };
    const id = `kept_${++this.n}`;
    this.known.add(id);
    return wanted
      ? { sessionId: id, restoredBy: "new", note: `no session ${wanted}` }
      : { sessionId: id, restoredBy: "new" };
  }
}

describe("session.new and session.load from a client", () => {
  it("session.new: the next turn runs in a fresh session, unprimed; turns before it are untouched", async () => {
    const fx = await axonFixture();
    const agent = new SessionKeepingAgent();
    await startBroker(fx, agent);
    await fx.turnEnd(`turn_${await say(fx, "one")}`);
    await fx.publish(EventType.SessionNew, {});
    const two = await say(fx, "two");
    await fx.turnEnd(`turn_${two}`);
    expect(agent.starts.map((s) => s.resumeSessionId)).toEqual([undefined, undefined]);
    expect(text(agent.prompts[1])).toBe("two");
    const sessions = await payloadsOf(fx, EventType.SessionStarted);
    expect(sessions.map((s) => s.agent_session_id)).toEqual(["kept_1", "kept_2"]);
    expect(await payloadsOf(fx, EventType.SessionPrimed)).toEqual([]);
  });

  it("session.load: back to an earlier session; an unknown id fails the next turn, saying why", async () => {
    const fx = await axonFixture();
    const agent = new SessionKeepingAgent();
    await startBroker(fx, agent);
    await fx.turnEnd(`turn_${await say(fx, "one")}`);
    await fx.publish(EventType.SessionNew, {});
    await fx.turnEnd(`turn_${await say(fx, "two")}`);
    await fx.publish(EventType.SessionLoad, { session_id: "kept_1" });
    await fx.turnEnd(`turn_${await say(fx, "three")}`);
    expect(agent.lastStart?.resumeSessionId).toBe("kept_1");
    expect((await payloadsOf(fx, EventType.SessionStarted)).at(-1)).toMatchObject({
      agent_session_id: "kept_1",
      restored_by: "load",
    });

    await fx.publish(EventType.SessionLoad, { session_id: "nope" });
    const four = await say(fx, "four");
    const end = await fx.turnEnd(`turn_${four}`);
    expect(end.eventType).toBe(EventType.TurnFailed);
    expect(JSON.parse(end.payload).error).toMatch(/session\.load: the agent could not load session nope/);
    expect(agent.prompts.map(text)).toEqual(["one", "two", "three"]);
    // The failure is reported once; the next turn runs (in the session the agent did start).
    await fx.turnEnd(`turn_${await say(fx, "five")}`);
    expect(agent.prompts.map(text)).toEqual(["one", "two", "three", "five"]);

    await fx.publish(EventType.SessionLoad, {});
    const six = await fx.turnEnd(`turn_${await say(fx, "six")}`);
    expect(JSON.parse(six.payload).error).toMatch(/session\.load needs session_id/);
  });

  it("a request never applied before a restart is applied by the next broker, before the turns after it", async () => {
    const fx = await axonFixture();
    const agent = new SessionKeepingAgent();
    const first = await startBroker(fx, agent);
    await fx.turnEnd(`turn_${await say(fx, "one")}`);
    await first.stop();
    await fx.publish(EventType.SessionNew, {});
    const two = await say(fx, "two");
    await startBroker(fx, agent);
    await fx.turnEnd(`turn_${two}`);
    // Restart resumes kept_1, then the request starts a fresh session before "two".
    expect(agent.starts.map((s) => s.resumeSessionId)).toEqual([undefined, "kept_1", undefined]);
    expect((await payloadsOf(fx, EventType.SessionStarted)).map((s) => s.agent_session_id)).toEqual([
      "kept_1",
      "kept_1",
      "kept_2",
    ]);
  });
});
