import type { PermissionRequest, TurnOutput } from "@openaxon/broker";
import { afterEach, describe, expect, it } from "vitest";
import { JsonlStdioAdapter } from "./jsonl-adapter.js";
import { JSONL_AGENT_SCRIPT } from "./test-support/jsonl-agent.js";
import { collect, startOptions, turnInput, waitUntil } from "./test-support/process-helpers.js";

const adapters: JsonlStdioAdapter[] = [];
afterEach(async () => {
  await Promise.all(adapters.splice(0).map((a) => a.stop()));
});

function jsonlAgent(script = JSONL_AGENT_SCRIPT) {
  const a = new JsonlStdioAdapter({
    agentBinary: process.execPath,
    launchArgs: ["-e", script],
    terminateGraceMs: 500,
  });
  adapters.push(a);
  return a;
}

describe("JsonlStdioAdapter with a JSON-lines agent process", () => {
  it("starts, announces a session, and logs stderr and non-protocol lines", async () => {
    const agent = jsonlAgent();
    const { options, logs } = startOptions();
    const session = await agent.start(options);
    expect(session).toEqual({ sessionId: expect.stringMatching(/^jsonl_sess_\d+$/), restoredBy: "new" });
    await waitUntil(() => logs.length >= 2, "both log lines arrived");
    expect(logs).toContain("agent ready");
    expect(logs).toContain("[jsonl] ignored a line from the agent (not JSON): this line is not JSON");
  });

  it("asks the agent to resume the recorded session", async () => {
    const agent = jsonlAgent();
    expect(await agent.start(startOptions({ resumeSessionId: "jsonl_sess_earlier" }).options)).toEqual({
      sessionId: "jsonl_sess_earlier",
      restoredBy: "resume",
    });
  });

  it("says so when the agent starts a new session instead of resuming", async () => {
    const agent = jsonlAgent(JSONL_AGENT_SCRIPT.replace("m.resume_session_id ||", ""));
    const session = await agent.start(startOptions({ resumeSessionId: "gone" }).options);
    expect(session.restoredBy).toBe("new");
    expect(session.note).toMatch(/instead of resuming gone/);
  });

  it("runs turns in one long-lived process: chunks, thoughts, plans, then the stop reason", async () => {
    const agent = jsonlAgent();
    await agent.start(startOptions().options);
    expect(await collect(agent.prompt(turnInput("hello", { turnId: "turn_1" })))).toEqual([
      { type: "thought_chunk", text: "thinking" },
      { type: "plan", entries: [{ content: "answer", status: "in_progress" }] },
      { type: "message_chunk", text: "you said: hello" },
      { type: "completed", stopReason: "end_turn" },
    ]);
    const second = await collect(
      agent.prompt(turnInput([{ type: "text", text: "again" }], { turnId: "turn_2" })),
    );
    expect(second.at(-2)).toEqual({ type: "message_chunk", text: "you said: again" });
  });

  it("routes a permission request through the policy and sends the decision back", async () => {
    const agent = jsonlAgent();
    await agent.start(startOptions().options);
    const asked: PermissionRequest[] = [];
    const outputs = await collect(
      agent.prompt(
        turnInput("tool", {
          requestPermission: async (request) => {
            asked.push(request);
            return { outcome: "selected", optionId: "ok" };
          },
        }),
      ),
    );
    expect(asked).toEqual([
      {
        toolCall: { toolCallId: "t1", title: "Write notes.md", kind: "edit", status: "pending" },
        options: [
          { optionId: "ok", name: "Allow", kind: "allow_once" },
          { optionId: "no", name: "Reject", kind: "reject_once" },
        ],
      },
    ]);
    expect(outputs).toEqual([
      {
        type: "tool_call",
        toolCallId: "t1",
        title: "Write notes.md",
        kind: "edit",
        status: "pending",
        input: { path: "notes.md" },
      },
      {
        type: "tool_call_update",
        toolCallId: "t1",
        status: "completed",
        output: { type: "permission_response", request_id: "r1", outcome: "selected", option_id: "ok" },
      },
      { type: "completed", stopReason: "end_turn" },
    ]);
  });

  it("sends a rejection as outcome rejected", async () => {
    const agent = jsonlAgent();
    await agent.start(startOptions().options);
    const outputs = await collect(
      agent.prompt(turnInput("tool", { requestPermission: async () => ({ outcome: "rejected" }) })),
    );
    expect(outputs[1]).toMatchObject({
      status: "failed",
      output: { type: "permission_response", request_id: "r1", outcome: "rejected" },
    });
  });

  it("cancel sends a cancel message; the agent ends the turn as cancelled", async () => {
    const agent = jsonlAgent();
    await agent.start(startOptions().options);
    const outputs: TurnOutput[] = [];
    for await (const output of agent.prompt(turnInput("wait"))) {
      outputs.push(output);
      if (output.type === "message_chunk") await agent.cancel();
    }
    expect(outputs).toEqual([
      { type: "message_chunk", text: "waiting" },
      { type: "completed", stopReason: "cancelled" },
    ]);
  });

  it("a failed message fails the turn with the agent's error", async () => {
    const agent = jsonlAgent();
    await agent.start(startOptions().options);
    await expect(collect(agent.prompt(turnInput("fail")))).rejects.toThrow("model said no");
    expect(await collect(agent.prompt(turnInput("still here")))).toContainEqual({
      type: "completed",
      stopReason: "end_turn",
    });
  });

  it("a crash mid-turn fails the turn with the exit code and stderr, and reports the exit", async () => {
    const agent = jsonlAgent();
    const { options, exits } = startOptions();
    await agent.start(options);
    await expect(collect(agent.prompt(turnInput("crash")))).rejects.toThrow(
      /exited with code 9; stderr:\nagent ready\nsegfault-ish during the turn/,
    );
    expect(exits).toEqual([{ code: 9, signal: null }]);
    await expect(collect(agent.prompt(turnInput("hello")))).rejects.toThrow(/not running/);
    // The broker restarts it, resuming the session.
    const again = await agent.start(startOptions({ resumeSessionId: "jsonl_sess_1" }).options);
    expect(again.restoredBy).toBe("resume");
  });

  it("a crash after a flood of stderr still ends its error with the agent's last words", async () => {
    // 1 MiB is more than a pipe holds; the error is built once the pipes are drained.
    const agent = jsonlAgent();
    await agent.start(startOptions().options);
    await expect(collect(agent.prompt(turnInput("crash loudly")))).rejects.toThrow(
      /exited with code 9; stderr:\n[\s\S]*last words: out of memory during the turn$/,
    );
  });

  it("when the agent dies, the processes it started die with it", async () => {
    const agent = jsonlAgent();
    await agent.start(startOptions().options);
    const error = await collect(agent.prompt(turnInput("start a tool and crash"))).then(
      () => expect.unreachable("the turn should fail"),
      (e: Error) => e,
    );
    const pid = Number(/tool pid (\d+)/.exec(error.message)?.[1]);
    expect(pid).toBeGreaterThan(0);
    await waitUntil(() => !isAlive(pid), `the agent's tool (pid ${pid}) was killed`);
  });

  it("a turn the agent completes right before exiting is completed, not failed", async () => {
    const agent = jsonlAgent();
    const { options, exits } = startOptions();
    await agent.start(options);
    const outputs = await collect(agent.prompt(turnInput("answer and exit")));
    expect(outputs.at(-1)).toEqual({ type: "completed", stopReason: "end_turn" });
    await waitUntil(() => exits.length === 1, "the exit was reported");
    expect(exits).toEqual([{ code: 0, signal: null }]);
  });

  it("start fails with the exit status and stderr when the agent dies before announcing a session", async () => {
    const agent = new JsonlStdioAdapter({
      agentBinary: "sh",
      launchArgs: ["-c", "echo 'config missing' >&2; exit 2"],
    });
    adapters.push(agent);
    const { options, exits } = startOptions();
    await expect(agent.start(options)).rejects.toThrow(
      /sh exited with code 2; stderr:\nconfig missing before announcing its session/,
    );
    expect(exits).toEqual([]);
  });

  it("stop() ends the process; a stop during a turn fails that turn", async () => {
    const agent = jsonlAgent();
    const { options, exits } = startOptions();
    await agent.start(options);
    const turn = agent.prompt(turnInput("wait"))[Symbol.asyncIterator]();
    await turn.next();
    const rest = expect(turn.next()).rejects.toThrow(/stopped during the turn/);
    await agent.stop();
    await rest;
    expect(exits).toEqual([]);
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
