import { EventType } from "@openaxon/protocol/vocabulary";
import { afterEach, describe, expect, it } from "vitest";
import type { AgentSession, AgentStartOptions, TurnInput } from "./agent-adapter.js";
import { Origin } from "./axon-link.js";
import { Broker, type BrokerOptions } from "./broker.js";
import { type AxonFixture, axonFixture, ScriptedAgent, settle } from "./test-support/index.js";

const brokers: Broker[] = [];
afterEach(async () => {
  await Promise.all(brokers.splice(0).map((b) => b.stop()));
});

async function startBroker(fx: AxonFixture, agent: ScriptedAgent, options: Partial<BrokerOptions> = {}) {
  const broker = new Broker({
    axonId: fx.axonId,
    link: fx.link,
    adapter: agent,
    clock: fx.clock,
    agent: { cwd: "/work/agent", env: {} },
    ...options,
  });
  brokers.push(broker);
  await broker.start();
  return broker;
}

const say = (fx: AxonFixture, content: string) => fx.publish(EventType.UserMessage, { content });
const text = (input: TurnInput | undefined) => (typeof input?.content === "string" ? input.content : "");

/** What the runtime writes when UpdateRuntime replaces a mount's agent. */
const agentReplaced = (fx: AxonFixture, resume_session = false) =>
  fx.publish(
    EventType.RuntimeUpdated,
    {
      runtime_id: "rt_1",
      axon_id: fx.axonId,
      changes: [{ field: "mount.agent_binary", old: "a", new: "b" }],
      resume_session,
    },
    Origin.System,
    "runtime",
  );

/** An agent that never keeps a session it is asked to resume (a fresh one every start). */
class ForgetfulAgent extends ScriptedAgent {
  private n = 0;
  override async start(options: AgentStartOptions): Promise<AgentSession> {
    await super.start({ ...options, resumeSessionId: undefined });
    return { sessionId: `forgetful_${++this.n}`, restoredBy: "new", note: "could not resume" };
  }
}

const payloadsOf = async (fx: AxonFixture, type: string) =>
  (await fx.transcript()).filter((e) => e.type === type).map((e) => e.payload);

describe("hand-off: stopAtTurnBoundary", () => {
  it("lets the running turn finish on the old agent; queued turns wait for the next broker", async () => {
    const fx = await axonFixture();
    const a = new ScriptedAgent((input) => [
      ...(text(input) === "long" ? [{ type: "wait" as const, gate: "go" }] : []),
      { type: "message_chunk", text: `A: ${text(input)}` },
      { type: "completed", stopReason: "end_turn" },
    ]);
    const old = await startBroker(fx, a);
    const long = await say(fx, "long");
    await fx.waitFor((e) => e.eventType === EventType.TurnStarted);
    const queued = await say(fx, "queued");
    await settle();
    const stopping = old.stopAtTurnBoundary();
    await settle();
    expect(old.status).toBe("running");
    a.release("go");
    await stopping;
    expect(old.status).toBe("stopped");
    const ends = await payloadsOf(fx, EventType.TurnCompleted);
    expect(ends).toEqual([{ turn_id: `turn_${long}`, stop_reason: "end_turn" }]);
    expect(a.prompts.map(text)).toEqual(["long"]);

    const b = new ScriptedAgent();
    await startBroker(fx, b);
    await fx.turnEnd(`turn_${queued}`);
    expect(b.prompts.map(text)).toEqual(["queued"]);
  });

  it("stops at once when idle", async () => {
    const fx = await axonFixture();
    const broker = await startBroker(fx, new ScriptedAgent());
    await broker.stopAtTurnBoundary();
    expect(broker.status).toBe("stopped");
  });
});

describe("hand-off: priming the new agent from the log", () => {
  it("after runtime.updated replaced the agent: a fresh session, the first turn primed, the next not", async () => {
    const fx = await axonFixture();
    const first = await startBroker(fx, new ScriptedAgent());
    const t1 = await say(fx, "My name is Ada.");
    await fx.turnEnd(`turn_${t1}`);
    await first.stopAtTurnBoundary();
    await agentReplaced(fx);

    const b = new ScriptedAgent(undefined, { protocol: "stdio" });
    await startBroker(fx, b);
    expect(b.lastStart?.resumeSessionId).toBeUndefined();
    const t2 = await say(fx, "What is my name?");
    await fx.turnEnd(`turn_${t2}`);
    const t3 = await say(fx, "And again?");
    await fx.turnEnd(`turn_${t3}`);

    const primed = text(b.prompts[0]);
    expect(primed).toContain("[OpenAxon hand-off]");
    expect(primed).toContain("User: My name is Ada.");
    expect(primed).toContain("Agent: echo: My name is Ada.");
    expect(primed.endsWith("\nWhat is my name?")).toBe(true);
    expect(text(b.prompts[1])).toBe("And again?");
    expect(await payloadsOf(fx, EventType.SessionPrimed)).toEqual([
      { turn_id: `turn_${t2}`, turns: 1, omitted_turns: 0, chars: expect.any(Number), budget_chars: 16_000 },
    ]);
    const sessions = await payloadsOf(fx, EventType.SessionStarted);
    expect(sessions.at(-1)).toMatchObject({ protocol: "stdio", restored_by: "new", needs_priming: true });
  });

  it("a restart between the hand-off and its first turn still primes (once), resuming the new session", async () => {
    const fx = await axonFixture();
    const first = await startBroker(fx, new ScriptedAgent());
    const t1 = await say(fx, "remember 42");
    await fx.turnEnd(`turn_${t1}`);
    await first.stopAtTurnBoundary();
    await agentReplaced(fx);
    const b = await startBroker(fx, new ScriptedAgent());
    await b.stop();

    const again = new ScriptedAgent();
    const second = await startBroker(fx, again);
    // The new agent's session is resumed; it never saw the history, so the turn is primed.
    expect(again.lastStart?.resumeSessionId).toBe("sess_1");
    const t2 = await say(fx, "what number?");
    await fx.turnEnd(`turn_${t2}`);
    expect(text(again.prompts[0])).toContain("User: remember 42");

    await second.stop();
    const later = new ScriptedAgent();
    await startBroker(fx, later);
    const t3 = await say(fx, "still there?");
    await fx.turnEnd(`turn_${t3}`);
    expect(text(later.prompts[0])).toBe("still there?");
  });

  it("an update that keeps the agent (resume_session) resumes the session and primes nothing", async () => {
    const fx = await axonFixture();
    const first = await startBroker(fx, new ScriptedAgent());
    await fx.turnEnd(`turn_${await say(fx, "hello")}`);
    await first.stopAtTurnBoundary();
    await agentReplaced(fx, true);
    const same = new ScriptedAgent();
    await startBroker(fx, same);
    expect(same.lastStart?.resumeSessionId).toBe("sess_1");
    await fx.turnEnd(`turn_${await say(fx, "again")}`);
    expect(text(same.prompts[0])).toBe("again");
    expect(await payloadsOf(fx, EventType.SessionPrimed)).toEqual([]);
  });

  it("an agent that cannot resume its recorded session is primed too", async () => {
    const fx = await axonFixture();
    const first = await startBroker(fx, new ScriptedAgent());
    await fx.turnEnd(`turn_${await say(fx, "the colour is teal")}`);
    await first.stop();
    const forgetful = new ForgetfulAgent();
    await startBroker(fx, forgetful);
    await fx.turnEnd(`turn_${await say(fx, "which colour?")}`);
    expect(text(forgetful.prompts[0])).toContain("User: the colour is teal");
  });

  it("keeps within the budget it is given, and says the oldest turns are left out", async () => {
    const fx = await axonFixture();
    const first = await startBroker(fx, new ScriptedAgent());
    for (let i = 0; i < 12; i++) await fx.turnEnd(`turn_${await say(fx, `fact ${i}: ${"x".repeat(200)}`)}`);
    await first.stopAtTurnBoundary();
    await agentReplaced(fx);
    const b = new ScriptedAgent();
    await startBroker(fx, b, { handoffBudgetChars: 2_000 });
    await fx.turnEnd(`turn_${await say(fx, "recap")}`);
    const primed = text(b.prompts[0]);
    expect(primed.length).toBeLessThanOrEqual(2_000 + "\nrecap".length);
    expect(primed).toContain("fact 11");
    expect(primed).not.toContain("fact 0:");
    expect(primed).toMatch(/the \d+ oldest turns are left out to stay within 2000 characters/);
  });
});
