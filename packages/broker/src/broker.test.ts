import { afterEach, describe, expect, it } from "vitest";
import type { PermissionRequest } from "./agent-adapter.js";
import { Origin } from "./axon-link.js";
import { Broker, type BrokerOptions } from "./broker.js";
import {
  type AgentScript,
  type AxonFixture,
  axonFixture,
  ScriptedAgent,
  settle,
} from "./test-support/index.js";

const SYSTEM = Origin.System;
const AGENT = Origin.Agent;
const USER = Origin.User;

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
    agent: { cwd: "/work/agent", env: { PATH: "/usr/bin" } },
    ...options,
  });
  brokers.push(broker);
  await broker.start();
  return broker;
}

const say = (fx: AxonFixture, content: string, origin: number = USER) =>
  fx.publish("user.message", { content }, origin);

const typesOf = async (fx: AxonFixture) => (await fx.transcript()).map((e) => e.type);

const request: PermissionRequest = {
  toolCall: {
    toolCallId: "call_1",
    title: "Write notes.md",
    kind: "edit",
    status: "pending",
    input: { path: "notes.md" },
  },
  options: [
    { optionId: "always", name: "Always allow", kind: "allow_always" },
    { optionId: "once", name: "Allow", kind: "allow_once" },
    { optionId: "no", name: "Reject", kind: "reject_once" },
  ],
};
const askScript: AgentScript = () => [
  { type: "ask", request },
  { type: "completed", stopReason: "end_turn" },
];

describe("Broker: a text turn", () => {
  it("writes session.started, then turn.started → chunks → turn.completed with the vocabulary's payloads", async () => {
    const fx = await axonFixture();
    const agent = new ScriptedAgent();
    await startBroker(fx, agent);
    const trigger = await say(fx, "hello");
    await fx.turnEnd(`turn_${trigger}`);

    expect(await fx.transcript()).toEqual([
      {
        type: "session.started",
        origin: SYSTEM,
        payload: { protocol: "acp", agent_session_id: "sess_1", restored_by: "new" },
      },
      { type: "user.message", origin: USER, payload: { content: "hello" } },
      { type: "turn.started", origin: SYSTEM, payload: { turn_id: "turn_2", trigger_sequence: 2 } },
      { type: "turn.message_chunk", origin: AGENT, payload: { turn_id: "turn_2", text: "echo: hello" } },
      { type: "turn.completed", origin: SYSTEM, payload: { turn_id: "turn_2", stop_reason: "end_turn" } },
    ]);
    expect(agent.prompts.map((p) => [p.turnId, p.content])).toEqual([["turn_2", "hello"]]);
    expect(agent.lastStart).toMatchObject({
      cwd: "/work/agent",
      env: { PATH: "/usr/bin" },
      resumeSessionId: undefined,
    });
  });

  it("maps thoughts, tool calls, updates and plans onto turn.* events with the turn id", async () => {
    const fx = await axonFixture();
    const agent = new ScriptedAgent(() => [
      { type: "thought_chunk", text: "Let me look." },
      { type: "plan", entries: [{ content: "read", status: "pending" }] },
      {
        type: "tool_call",
        toolCallId: "c1",
        title: "Read README",
        kind: "read",
        status: "pending",
        input: { path: "README" },
      },
      { type: "tool_call_update", toolCallId: "c1", status: "completed", output: "# Title" },
      { type: "message_chunk", text: "Done." },
      { type: "completed", stopReason: "max_tokens" },
    ]);
    await startBroker(fx, agent);
    const trigger = await fx.publish("user.message", { content: [{ type: "text", text: "look" }] });
    await fx.turnEnd(`turn_${trigger}`);

    const turnEvents = (await fx.transcript()).slice(3);
    expect(turnEvents).toEqual([
      { type: "turn.thought_chunk", origin: AGENT, payload: { turn_id: "turn_2", text: "Let me look." } },
      {
        type: "turn.plan",
        origin: AGENT,
        payload: { turn_id: "turn_2", entries: [{ content: "read", status: "pending" }] },
      },
      {
        type: "turn.tool_call",
        origin: AGENT,
        payload: {
          turn_id: "turn_2",
          tool_call_id: "c1",
          title: "Read README",
          kind: "read",
          status: "pending",
          input: { path: "README" },
        },
      },
      {
        type: "turn.tool_call_update",
        origin: AGENT,
        payload: { turn_id: "turn_2", tool_call_id: "c1", status: "completed", output: "# Title" },
      },
      { type: "turn.message_chunk", origin: AGENT, payload: { turn_id: "turn_2", text: "Done." } },
      { type: "turn.completed", origin: SYSTEM, payload: { turn_id: "turn_2", stop_reason: "max_tokens" } },
    ]);
    expect(agent.prompts[0]?.content).toEqual([{ type: "text", text: "look" }]);
  });

  it("fails a trigger whose payload is not {content}, so it still ends, and carries on", async () => {
    const fx = await axonFixture();
    const agent = new ScriptedAgent();
    await startBroker(fx, agent);
    const bad = await fx.publish("user.message", { text: "wrong field" });
    const good = await say(fx, "fine");
    const failed = await fx.turnEnd(`turn_${bad}`);
    expect(failed.eventType).toBe("turn.failed");
    expect(JSON.parse(failed.payload).error).toMatch(/content/);
    expect((await fx.turnEnd(`turn_${good}`)).eventType).toBe("turn.completed");
    expect(agent.prompts.map((p) => p.content)).toEqual(["fine"]);
  });
});

describe("Broker: loop prevention", () => {
  it("ignores user.message written by AGENT or SYSTEM, and runs USER and EXTERNAL ones", async () => {
    const fx = await axonFixture();
    const agent = new ScriptedAgent();
    await startBroker(fx, agent);
    await say(fx, "from the agent", AGENT);
    await say(fx, "from the system", SYSTEM);
    const external = await say(fx, "from a webhook", Origin.External);
    const user = await say(fx, "from a user", USER);
    await fx.turnEnd(`turn_${user}`);

    expect(agent.prompts.map((p) => p.content)).toEqual(["from a webhook", "from a user"]);
    const started = (await fx.transcript())
      .filter((e) => e.type === "turn.started")
      .map((e) => e.payload.trigger_sequence);
    expect(started).toEqual([external, user]);
  });

  it("does not treat its own echoed reply as a trigger", async () => {
    const fx = await axonFixture();
    // An agent that answers by writing what looks like a user message, the classic feedback loop.
    const agent = new ScriptedAgent(() => [
      { type: "message_chunk", text: "user.message" },
      { type: "completed", stopReason: "end_turn" },
    ]);
    await startBroker(fx, agent);
    await fx.turnEnd(`turn_${await say(fx, "hi")}`);
    await settle();
    expect(agent.prompts).toHaveLength(1);
  });
});

describe("Broker: queue", () => {
  it("runs queued turns strictly one at a time, in trigger order", async () => {
    const fx = await axonFixture();
    const agent = new ScriptedAgent((input) => [
      { type: "wait", gate: "go" },
      { type: "message_chunk", text: String(input.content) },
      { type: "completed", stopReason: "end_turn" },
    ]);
    await startBroker(fx, agent);
    const a = await say(fx, "a");
    const b = await say(fx, "b");
    const c = await say(fx, "c");
    await settle();
    expect(agent.prompts.map((p) => p.content)).toEqual(["a"]);
    agent.release("go", 3);
    await fx.turnEnd(`turn_${c}`);

    expect(agent.maxActive).toBe(1);
    const lifecycle = (await fx.transcript())
      .filter((e) => e.type === "turn.started" || e.type === "turn.completed")
      .map((e) => `${e.type}:${e.payload.turn_id}`);
    expect(lifecycle).toEqual([
      `turn.started:turn_${a}`,
      `turn.completed:turn_${a}`,
      `turn.started:turn_${b}`,
      `turn.completed:turn_${b}`,
      `turn.started:turn_${c}`,
      `turn.completed:turn_${c}`,
    ]);
  });
});

describe("Broker: cancel", () => {
  const waiting: AgentScript = () => [
    { type: "message_chunk", text: "working" },
    { type: "wait", gate: "never" },
    { type: "completed", stopReason: "end_turn" },
  ];

  it("cancels the running turn through the adapter; it completes as cancelled", async () => {
    const fx = await axonFixture();
    const agent = new ScriptedAgent(waiting);
    await startBroker(fx, agent);
    const t = await say(fx, "long job");
    await fx.waitFor((e) => e.eventType === "turn.message_chunk");
    await fx.publish("turn.cancel", { turn_id: `turn_${t}` });
    const end = await fx.turnEnd(`turn_${t}`);
    expect(end.eventType).toBe("turn.completed");
    expect(JSON.parse(end.payload)).toEqual({ turn_id: `turn_${t}`, stop_reason: "cancelled" });
    expect(agent.cancels).toBe(1);
  });

  it("logs an agent's failed cancel with the axon and the turn it was for", async () => {
    const fx = await axonFixture();
    const agent = new ScriptedAgent(waiting);
    agent.cancel = async () => {
      throw new Error("agent hung up");
    };
    const lines: { obj: Record<string, unknown>; msg: string }[] = [];
    const record = (obj: object, msg: string) => lines.push({ obj: obj as Record<string, unknown>, msg });
    await startBroker(fx, agent, { logger: { warn: record, error: record }, cancelGraceMs: 10 });
    const t = await say(fx, "long job");
    await fx.waitFor((e) => e.eventType === "turn.message_chunk");
    await fx.publish("turn.cancel", { turn_id: `turn_${t}` });
    fx.clock.advance(10);
    await fx.turnEnd(`turn_${t}`);
    expect(lines).toContainEqual({
      obj: expect.objectContaining({ axonId: fx.axonId, turnId: `turn_${t}` }),
      msg: "agent cancel failed",
    });
  });

  it("a cancel without turn_id aims at the running turn; the next turn then runs", async () => {
    const fx = await axonFixture();
    const agent = new ScriptedAgent((_, i) =>
      i === 0 ? waiting(_, i) : [{ type: "completed", stopReason: "end_turn" }],
    );
    await startBroker(fx, agent);
    const first = await say(fx, "one");
    const second = await say(fx, "two");
    await fx.waitFor((e) => e.eventType === "turn.message_chunk");
    await fx.publish("turn.cancel", {});
    expect(JSON.parse((await fx.turnEnd(`turn_${first}`)).payload).stop_reason).toBe("cancelled");
    expect(JSON.parse((await fx.turnEnd(`turn_${second}`)).payload).stop_reason).toBe("end_turn");
  });

  it("a cancel of a queued turn removes it at once: turn.completed {cancelled}, never prompted", async () => {
    const fx = await axonFixture();
    const agent = new ScriptedAgent((input, i) =>
      i === 0
        ? [
            { type: "wait", gate: "go" },
            { type: "completed", stopReason: "end_turn" },
          ]
        : [
            { type: "message_chunk", text: String(input.content) },
            { type: "completed", stopReason: "end_turn" },
          ],
    );
    await startBroker(fx, agent);
    const running = await say(fx, "running");
    const doomed = await say(fx, "doomed");
    const kept = await say(fx, "kept");
    await fx.publish("turn.cancel", { turn_id: `turn_${doomed}` });
    const end = await fx.turnEnd(`turn_${doomed}`);
    expect(JSON.parse(end.payload)).toEqual({ turn_id: `turn_${doomed}`, stop_reason: "cancelled" });
    // It ended while the first turn was still running.
    expect(
      (await fx.transcript()).some(
        (e) => e.payload.turn_id === `turn_${running}` && e.type === "turn.completed",
      ),
    ).toBe(false);

    agent.release("go");
    await fx.turnEnd(`turn_${kept}`);
    expect(agent.prompts.map((p) => p.content)).toEqual(["running", "kept"]);
    expect(agent.cancels).toBe(0);
    const events = await fx.transcript();
    const written = events.filter((e) => e.origin !== USER && e.payload.turn_id === `turn_${doomed}`);
    expect(written.map((e) => e.type)).toEqual(["turn.completed"]);
  });

  it("ends a turn the agent will not stop after the grace period, and restarts the agent for the next", async () => {
    const fx = await axonFixture();
    const agent = new ScriptedAgent((_, i) =>
      i === 0
        ? [{ type: "message_chunk", text: "stuck" }, { type: "hang" }]
        : [{ type: "completed", stopReason: "end_turn" }],
    );
    await startBroker(fx, agent, { cancelGraceMs: 5_000 });
    const stuck = await say(fx, "stuck");
    const next = await say(fx, "next");
    await fx.waitFor((e) => e.eventType === "turn.message_chunk");
    await fx.publish("turn.cancel", {});
    await settle();
    fx.clock.advance(4_999);
    await settle();
    expect((await typesOf(fx)).includes("turn.completed")).toBe(false);
    fx.clock.advance(1);
    expect(JSON.parse((await fx.turnEnd(`turn_${stuck}`)).payload).stop_reason).toBe("cancelled");
    expect(JSON.parse((await fx.turnEnd(`turn_${next}`)).payload).stop_reason).toBe("end_turn");
    expect(agent.starts).toHaveLength(2);
    expect(agent.starts[1]?.resumeSessionId).toBe("sess_1");
  });

  it("ignores cancels from AGENT or SYSTEM origin", async () => {
    const fx = await axonFixture();
    const agent = new ScriptedAgent(waiting);
    await startBroker(fx, agent);
    await say(fx, "long job");
    await fx.waitFor((e) => e.eventType === "turn.message_chunk");
    await fx.publish("turn.cancel", {}, AGENT);
    await fx.publish("turn.cancel", {}, SYSTEM);
    await settle();
    expect(agent.cancels).toBe(0);
  });
});

describe("Broker: permissions", () => {
  it("AUTO_ALLOW picks the agent's allow_once option", async () => {
    const fx = await axonFixture();
    const agent = new ScriptedAgent(askScript);
    await startBroker(fx, agent, { permissionPolicy: "auto_allow" });
    await fx.turnEnd(`turn_${await say(fx, "go")}`);
    expect(agent.decisions).toEqual([{ outcome: "selected", optionId: "once" }]);
    expect(await typesOf(fx)).not.toContain("turn.permission_request");
  });

  it("DENY picks a reject option, or rejects outright when none is offered", async () => {
    const fx = await axonFixture();
    const bare: PermissionRequest = {
      ...request,
      options: request.options.filter((o) => o.kind !== "reject_once"),
    };
    const agent = new ScriptedAgent(() => [
      { type: "ask", request },
      { type: "ask", request: bare },
      { type: "completed", stopReason: "end_turn" },
    ]);
    await startBroker(fx, agent, { permissionPolicy: "deny" });
    await fx.turnEnd(`turn_${await say(fx, "go")}`);
    expect(agent.decisions).toEqual([{ outcome: "selected", optionId: "no" }, { outcome: "rejected" }]);
  });

  it("ASK publishes turn.permission_request and applies the user's permission.response", async () => {
    const fx = await axonFixture();
    const agent = new ScriptedAgent(askScript);
    await startBroker(fx, agent, { permissionPolicy: "ask" });
    const t = await say(fx, "go");
    const asked = await fx.waitFor((e) => e.eventType === "turn.permission_request");
    expect(asked.origin).toBe(AGENT);
    expect(JSON.parse(asked.payload)).toEqual({
      turn_id: `turn_${t}`,
      request_id: `perm_${t}_1`,
      tool_call: {
        tool_call_id: "call_1",
        title: "Write notes.md",
        kind: "edit",
        status: "pending",
        input: { path: "notes.md" },
      },
      options: [
        { option_id: "always", name: "Always allow", kind: "allow_always" },
        { option_id: "once", name: "Allow", kind: "allow_once" },
        { option_id: "no", name: "Reject", kind: "reject_once" },
      ],
    });
    // Only a USER answer counts.
    await fx.publish("permission.response", { request_id: `perm_${t}_1`, option_id: "always" }, AGENT);
    await settle();
    expect(agent.decisions).toEqual([]);
    await fx.publish("permission.response", { request_id: `perm_${t}_1`, option_id: "always" });
    await fx.turnEnd(`turn_${t}`);
    expect(agent.decisions).toEqual([{ outcome: "selected", optionId: "always" }]);
  });

  it("ASK: a user's {outcome: rejected} becomes the agent's reject option", async () => {
    const fx = await axonFixture();
    const agent = new ScriptedAgent(askScript);
    await startBroker(fx, agent, { permissionPolicy: "ask" });
    const t = await say(fx, "go");
    await fx.waitFor((e) => e.eventType === "turn.permission_request");
    await fx.publish("permission.response", { request_id: `perm_${t}_1`, outcome: "rejected" });
    await fx.turnEnd(`turn_${t}`);
    expect(agent.decisions).toEqual([{ outcome: "selected", optionId: "no" }]);
  });

  it("ASK: an answer naming an option the agent did not offer is reported and the request keeps waiting", async () => {
    const fx = await axonFixture();
    const agent = new ScriptedAgent(askScript);
    await startBroker(fx, agent, { permissionPolicy: "ask" });
    const t = await say(fx, "go");
    await fx.waitFor((e) => e.eventType === "turn.permission_request");
    await fx.publish("permission.response", { request_id: `perm_${t}_1`, option_id: "sudo" });
    const error = await fx.waitFor((e) => e.eventType === "broker.error");
    expect(JSON.parse(error.payload).message).toMatch(/no option the agent offered/);
    await fx.publish("permission.response", { request_id: `perm_${t}_1`, option_id: "once" });
    await fx.turnEnd(`turn_${t}`);
    expect(agent.decisions).toEqual([{ outcome: "selected", optionId: "once" }]);
  });

  it("ASK times out on the clock into a rejection, never 'cancelled'", async () => {
    const fx = await axonFixture();
    const noReject: PermissionRequest = { ...request, options: request.options.slice(0, 2) };
    const agent = new ScriptedAgent(() => [
      { type: "ask", request },
      { type: "ask", request: noReject },
      { type: "completed", stopReason: "end_turn" },
    ]);
    await startBroker(fx, agent, { permissionPolicy: "ask", permissionTimeoutMs: 60_000 });
    const t = await say(fx, "go");
    await fx.waitFor((e) => e.eventType === "turn.permission_request");
    await settle();
    fx.clock.advance(59_999);
    await settle();
    expect(agent.decisions).toEqual([]);
    fx.clock.advance(1);
    await fx.waitFor(
      (e) => e.eventType === "turn.permission_request" && JSON.parse(e.payload).request_id === `perm_${t}_2`,
    );
    await settle();
    fx.clock.advance(60_000);
    const end = await fx.turnEnd(`turn_${t}`);
    expect(JSON.parse(end.payload).stop_reason).toBe("end_turn");
    expect(agent.decisions).toEqual([{ outcome: "selected", optionId: "no" }, { outcome: "rejected" }]);
  });
});

describe("Broker: agent crashes and start failures", () => {
  it("fails the turn with the exit status when the agent dies mid-turn, then restarts it with the session for the next", async () => {
    const fx = await axonFixture();
    const agent = new ScriptedAgent((input, i) =>
      i === 0
        ? [
            { type: "message_chunk", text: "partial" },
            { type: "crash", code: null, signal: "SIGKILL" },
          ]
        : [
            { type: "message_chunk", text: `again: ${input.content}` },
            { type: "completed", stopReason: "end_turn" },
          ],
    );
    await startBroker(fx, agent);
    const first = await say(fx, "one");
    const second = await say(fx, "two");
    const failed = await fx.turnEnd(`turn_${first}`);
    expect(failed.eventType).toBe("turn.failed");
    expect(JSON.parse(failed.payload)).toEqual({
      turn_id: `turn_${first}`,
      error: "agent process exited during the turn (it was killed by SIGKILL)",
    });
    expect((await fx.turnEnd(`turn_${second}`)).eventType).toBe("turn.completed");
    expect(agent.starts.map((s) => s.resumeSessionId)).toEqual([undefined, "sess_1"]);
    const sessions = (await fx.transcript())
      .filter((e) => e.type === "session.started")
      .map((e) => e.payload);
    expect(sessions).toEqual([
      { protocol: "acp", agent_session_id: "sess_1", restored_by: "new" },
      { protocol: "acp", agent_session_id: "sess_1", restored_by: "resume" },
    ]);
  });

  it("fails the turn with the adapter's error when a turn throws, and keeps going", async () => {
    const fx = await axonFixture();
    const agent = new ScriptedAgent((_, i) =>
      i === 0
        ? [{ type: "throw", message: "agent exited with code 3: boom" }]
        : [{ type: "completed", stopReason: "end_turn" }],
    );
    await startBroker(fx, agent);
    const first = await say(fx, "one");
    const second = await say(fx, "two");
    expect(JSON.parse((await fx.turnEnd(`turn_${first}`)).payload).error).toBe(
      "agent exited with code 3: boom",
    );
    expect((await fx.turnEnd(`turn_${second}`)).eventType).toBe("turn.completed");
  });

  it("reports an agent that exits while idle as broker.error and starts it again for the next turn", async () => {
    const fx = await axonFixture();
    const agent = new ScriptedAgent();
    await startBroker(fx, agent);
    agent.lastStart?.onExit?.({ code: 1, signal: null });
    const error = await fx.waitFor((e) => e.eventType === "broker.error");
    expect(JSON.parse(error.payload).message).toMatch(/exited with code 1/);
    expect((await fx.turnEnd(`turn_${await say(fx, "hi")}`)).eventType).toBe("turn.completed");
    expect(agent.starts).toHaveLength(2);
  });

  it("publishes broker.error when the agent cannot start and fails the queued turn instead of hanging", async () => {
    const fx = await axonFixture();
    const agent = new ScriptedAgent();
    agent.failStarts = 2;
    await startBroker(fx, agent);
    const first = await say(fx, "one");
    const failed = await fx.turnEnd(`turn_${first}`);
    expect(JSON.parse(failed.payload)).toEqual({
      turn_id: `turn_${first}`,
      error: "agent failed to start: spawn fake-agent ENOENT",
    });
    const errors = (await fx.transcript()).filter((e) => e.type === "broker.error");
    expect(errors).toHaveLength(2);
    expect(errors[0]).toEqual({
      type: "broker.error",
      origin: SYSTEM,
      payload: { message: "agent failed to start: spawn fake-agent ENOENT" },
    });
    expect((await fx.turnEnd(`turn_${await say(fx, "two")}`)).eventType).toBe("turn.completed");
  });
});

describe("Broker: agent.log", () => {
  it("coalesces stderr lines into one SYSTEM agent.log, flushed before the turn ends", async () => {
    const fx = await axonFixture();
    const agent = new ScriptedAgent(() => [
      { type: "log", line: "warming up" },
      { type: "log", line: "model: fake" },
      { type: "completed", stopReason: "end_turn" },
    ]);
    await startBroker(fx, agent);
    await fx.turnEnd(`turn_${await say(fx, "go")}`);
    const events = await fx.transcript();
    const logs = events.filter((e) => e.type === "agent.log");
    expect(logs).toEqual([
      {
        type: "agent.log",
        origin: SYSTEM,
        payload: { stream: "stderr", message: "warming up\nmodel: fake" },
      },
    ]);
    expect(events.findIndex((e) => e.type === "agent.log")).toBeLessThan(
      events.findIndex((e) => e.type === "turn.completed"),
    );
  });

  it("publishes lines written while idle after the flush delay on the clock", async () => {
    const fx = await axonFixture();
    const agent = new ScriptedAgent();
    await startBroker(fx, agent, { agentLog: { flushDelayMs: 100 } });
    agent.lastStart?.onLog("background noise");
    await settle();
    expect(await typesOf(fx)).not.toContain("agent.log");
    fx.clock.advance(100);
    const log = await fx.waitFor((e) => e.eventType === "agent.log");
    expect(JSON.parse(log.payload)).toEqual({ stream: "stderr", message: "background noise" });
  });
});

describe("Broker: idle signal and hooks for the runtime", () => {
  it("reports triggers, turns and idleness with the clock's time", async () => {
    const fx = await axonFixture();
    const agent = new ScriptedAgent((_, i) => [
      { type: "wait", gate: `t${i}` },
      { type: "completed", stopReason: "end_turn" },
    ]);
    const seen: string[] = [];
    const broker = await startBroker(fx, agent, {
      observer: {
        onTriggerQueued: (t) => seen.push(`queued ${t.turnId}`),
        onTurnStarted: (t) => seen.push(`started ${t.turnId}`),
        onTurnEnded: (t) => seen.push(`ended ${t.turnId} ${t.outcome.kind}`),
        onIdle: (since) => seen.push(`idle ${since}`),
      },
    });
    const start = fx.clock.now();
    expect(broker.idleSince).toBe(start);
    expect(seen).toEqual([`idle ${start}`]);

    const t = await say(fx, "hi");
    await fx.waitFor((e) => e.eventType === "turn.started");
    expect(broker.idleSince).toBeUndefined();
    expect(broker.runningTurn).toEqual({ turnId: `turn_${t}`, triggerSequence: t });
    const idle = broker.whenIdle();
    fx.clock.advance(42_000);
    agent.release("t0");
    await idle;
    expect(broker.idleSince).toBe(start + 42_000);
    expect(seen).toEqual([
      `idle ${start}`,
      `queued turn_${t}`,
      `started turn_${t}`,
      `ended turn_${t} completed`,
      `idle ${start + 42_000}`,
    ]);
  });

  it("stop() interrupts the running turn, leaves queued triggers in the axon and stops the agent", async () => {
    const fx = await axonFixture();
    const agent = new ScriptedAgent(() => [{ type: "wait", gate: "never" }]);
    const broker = await startBroker(fx, agent);
    const running = await say(fx, "one");
    const queued = await say(fx, "two");
    await fx.waitFor((e) => e.eventType === "turn.started");
    await broker.stop();
    expect(broker.status).toBe("stopped");
    expect(agent.running).toBe(false);
    const events = await fx.transcript();
    expect(events.filter((e) => e.type === "turn.failed").map((e) => e.payload)).toEqual([
      { turn_id: `turn_${running}`, error: "interrupted: broker stopped" },
    ]);
    expect(events.some((e) => e.payload.turn_id === `turn_${queued}`)).toBe(false);
  });

  it("start() fails when the axon cannot be read", async () => {
    const fx = await axonFixture();
    const agent = new ScriptedAgent();
    const broker = new Broker({
      axonId: "axn_missing",
      link: fx.link,
      adapter: agent,
      clock: fx.clock,
      agent: { cwd: "/", env: {} },
    });
    await expect(broker.start()).rejects.toThrow(/axn_missing/);
    expect(broker.status).toBe("failed");
    expect(agent.starts).toHaveLength(0);
  });

  it("losing the axon stops the broker and its agent, and tells the runtime through onFailure", async () => {
    const fx = await axonFixture();
    const agent = new ScriptedAgent();
    const failures: unknown[] = [];
    const lost = new Error("connection to the axon lost");
    const broker = await startBroker(fx, agent, {
      link: {
        ...fx.link,
        // biome-ignore lint/correctness/useYield: a follow that fails before delivering anything
        async *follow() {
          throw lost;
        },
      },
      observer: { onFailure: (error) => failures.push(error) },
    });
    await settle();
    expect(failures).toEqual([lost]);
    expect(agent.running).toBe(false);
    expect(broker.status).toBe("failed");
  });
});
