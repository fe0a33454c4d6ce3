import { Broker, type BrokerOptions } from "@openaxon/broker";
import { type AxonFixture, axonFixture } from "@openaxon/broker/test-support";
import { afterEach, describe, expect, it } from "vitest";
import { stdioAdapterFactory } from "../src/index.js";
import { JSONL_AGENT_SCRIPT } from "../src/test-support/jsonl-agent.js";

const SYSTEM = 4;
const AGENT = 2;
const USER = 3;
const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };

const brokers: Broker[] = [];
afterEach(async () => {
  await Promise.all(brokers.splice(0).map((b) => b.stop()));
});

async function mount(
  fx: AxonFixture,
  agentBinary: string,
  launchArgs: string[],
  options: Partial<BrokerOptions> = {},
) {
  const broker = new Broker({
    axonId: fx.axonId,
    link: fx.link,
    adapter: stdioAdapterFactory(
      { agentBinary, launchArgs },
      { interruptGraceMs: 500, terminateGraceMs: 500 },
    ),
    clock: fx.clock,
    agent: { cwd: process.cwd(), env },
    ...options,
  });
  brokers.push(broker);
  await broker.start();
  return broker;
}

describe("stdio agents driven by the real Broker", () => {
  it("a per-turn shell agent: the whole turn lands in the axon in the shared vocabulary", async () => {
    const fx = await axonFixture();
    await mount(fx, "sh", [
      "-c",
      'read line; echo "You said: $line"; echo "(thinking hard)" >&2; echo "Bye."',
    ]);
    const t = await fx.publish("user.message", { content: "hello there" });
    await fx.turnEnd(`turn_${t}`);

    const events = await fx.transcript();
    expect(events).toEqual([
      {
        type: "session.started",
        origin: SYSTEM,
        payload: {
          protocol: "stdio",
          agent_session_id: expect.stringMatching(/^stdio_/),
          restored_by: "new",
        },
      },
      { type: "user.message", origin: USER, payload: { content: "hello there" } },
      { type: "turn.started", origin: SYSTEM, payload: { turn_id: `turn_${t}`, trigger_sequence: t } },
      {
        type: "turn.message_chunk",
        origin: AGENT,
        payload: { turn_id: `turn_${t}`, text: "You said: hello there\n" },
      },
      { type: "turn.message_chunk", origin: AGENT, payload: { turn_id: `turn_${t}`, text: "Bye.\n" } },
      { type: "agent.log", origin: SYSTEM, payload: { stream: "stderr", message: "(thinking hard)" } },
      { type: "turn.completed", origin: SYSTEM, payload: { turn_id: `turn_${t}`, stop_reason: "end_turn" } },
    ]);
  });

  it("rev through the broker, with a non-zero exit failing only its own turn", async () => {
    const fx = await axonFixture();
    await mount(fx, "sh", [
      "-c",
      'read line; if [ "$line" = boom ]; then echo "no such model" >&2; exit 3; fi; echo "$line" | rev',
    ]);
    const bad = await fx.publish("user.message", { content: "boom" });
    const good = await fx.publish("user.message", { content: "stressed" });
    const failed = await fx.turnEnd(`turn_${bad}`);
    expect(failed.eventType).toBe("turn.failed");
    expect(JSON.parse(failed.payload)).toEqual({
      turn_id: `turn_${bad}`,
      error: "sh exited with code 3; stderr:\nno such model",
    });
    expect((await fx.turnEnd(`turn_${good}`)).eventType).toBe("turn.completed");
    const chunks = (await fx.transcript())
      .filter((e) => e.type === "turn.message_chunk")
      .map((e) => e.payload.text);
    expect(chunks).toEqual(["desserts\n"]);
  });

  it("turn.cancel stops a long-running CLI: turn.completed {cancelled}", async () => {
    const fx = await axonFixture();
    await mount(fx, "sh", ["-c", "echo started; sleep 30; echo finished"]);
    const t = await fx.publish("user.message", { content: "go" });
    await fx.waitFor((e) => e.eventType === "turn.message_chunk");
    await fx.publish("turn.cancel", { turn_id: `turn_${t}` });
    const end = await fx.turnEnd(`turn_${t}`);
    expect(JSON.parse(end.payload)).toEqual({ turn_id: `turn_${t}`, stop_reason: "cancelled" });
  });

  it("a jsonl agent (launch args start with --jsonl) with ASK permissions, answered from the axon", async () => {
    const fx = await axonFixture();
    await mount(fx, process.execPath, ["--jsonl", "-e", JSONL_AGENT_SCRIPT], { permissionPolicy: "ask" });
    const t = await fx.publish("user.message", { content: "tool" });
    const asked = await fx.waitFor((e) => e.eventType === "turn.permission_request");
    expect(JSON.parse(asked.payload)).toEqual({
      turn_id: `turn_${t}`,
      request_id: `perm_${t}_1`,
      tool_call: { tool_call_id: "t1", title: "Write notes.md", kind: "edit", status: "pending" },
      options: [
        { option_id: "ok", name: "Allow", kind: "allow_once" },
        { option_id: "no", name: "Reject", kind: "reject_once" },
      ],
    });
    await fx.publish("permission.response", { request_id: `perm_${t}_1`, option_id: "ok" });
    await fx.turnEnd(`turn_${t}`);
    const turn = (await fx.transcript())
      .filter((e) => e.payload.turn_id === `turn_${t}`)
      .map((e) => [e.type, e.payload.status]);
    expect(turn).toEqual([
      ["turn.started", undefined],
      ["turn.tool_call", "pending"],
      ["turn.permission_request", undefined],
      ["turn.tool_call_update", "completed"],
      ["turn.completed", undefined],
    ]);
    const session = (await fx.transcript()).find((e) => e.type === "session.started");
    expect(session?.payload).toMatchObject({
      protocol: "stdio",
      agent_session_id: expect.stringMatching(/^jsonl_sess_/),
    });
  });
});
