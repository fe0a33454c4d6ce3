import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AgentSession, PermissionDecision, PermissionRequest, TurnOutput } from "@openaxon/broker";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AcpAdapter } from "../src/index.js";

// A scripted agent built on the SDK's agent() app covers the paths claude-code-acp never takes:
// restoring with session/load, agents that cannot restore, and permission edge cases.
const agentScript = fileURLToPath(new URL("./fixtures/scripted-acp-agent.mjs", import.meta.url));

let cwd: string;
let adapter: AcpAdapter;
let logs: string[];

beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), "openaxon-acp-scripted-"));
  adapter = new AcpAdapter({ agentBinary: process.execPath, launchArgs: [agentScript] });
  logs = [];
});

afterEach(async () => {
  await adapter.stop();
  await rm(cwd, { recursive: true, force: true });
});

function start(restore: "resume" | "load" | "none", resumeSessionId?: string): Promise<AgentSession> {
  return adapter.start({
    cwd,
    env: { PATH: process.env.PATH ?? "", SCRIPTED_ACP_RESTORE: restore },
    onLog: (line) => logs.push(line),
    ...(resumeSessionId === undefined ? {} : { resumeSessionId }),
  });
}

async function runTurn(content: string, decide?: (r: PermissionRequest) => Promise<PermissionDecision>) {
  const outputs: TurnOutput[] = [];
  const requestPermission = decide ?? (() => Promise.reject(new Error("unexpected permission request")));
  for await (const output of adapter.prompt({ turnId: "t", content, requestPermission }))
    outputs.push(output);
  return outputs;
}

const reply = (outputs: readonly TurnOutput[]) =>
  outputs.flatMap((o) => (o.type === "message_chunk" ? [o.text] : [])).join("");

describe("AcpAdapter protocol paths (scripted ACP agent)", () => {
  it("maps thoughts, plans and message chunks, and forwards agent stderr to onLog", async () => {
    await start("none");
    const outputs = await runTurn("hello");
    expect(outputs).toEqual([
      { type: "thought_chunk", text: "thinking" },
      { type: "plan", entries: [{ content: "answer", priority: "high", status: "completed" }] },
      { type: "message_chunk", text: 'heard "hello" (prompt 1)' },
      { type: "completed", stopReason: "end_turn" },
    ]);
    expect(logs).toContain("scripted agent up (restore=none)");
  });

  it("restores with session/load when the agent cannot resume, without replaying history as output", async () => {
    const first = await start("load");
    await runTurn("one");
    await adapter.stop();

    const restored = await start("load", first.sessionId);
    const outputs = await runTurn("two");

    expect(restored).toEqual({ sessionId: first.sessionId, restoredBy: "load" });
    expect(reply(outputs)).toBe('heard "two" (prompt 2)');
  });

  it("prefers session/resume when the agent advertises it", async () => {
    const first = await start("resume");
    await runTurn("one");
    await adapter.stop();

    const restored = await start("resume", first.sessionId);

    expect(restored).toEqual({ sessionId: first.sessionId, restoredBy: "resume" });
    expect(reply(await runTurn("two"))).toBe('heard "two" (prompt 2)');
  });

  it("starts a new session and says why when the agent can neither resume nor load", async () => {
    const first = await start("none");
    await adapter.stop();

    const session = await start("none", first.sessionId);

    expect(session.restoredBy).toBe("new");
    expect(session.sessionId).not.toBe(first.sessionId);
    expect(session.note).toMatch(/neither session\/resume nor session\/load/);
    expect(reply(await runTurn("again"))).toBe('heard "again" (prompt 1)');
  });

  it("starts a new session with a note when the session to restore is unknown to the agent", async () => {
    const session = await start("resume", "sess-that-never-existed");

    expect(session.restoredBy).toBe("new");
    expect(session.note).toMatch(/session\/resume of sess-that-never-existed failed/);
  });

  it("answers a denial by selecting the agent's reject option", async () => {
    await start("none");
    const asked: PermissionRequest[] = [];
    const outputs = await runTurn("ask", async (request) => {
      asked.push(request);
      return { outcome: "rejected" };
    });

    expect(asked[0]).toEqual({
      toolCall: {
        toolCallId: "call-1",
        title: "Touch a file",
        kind: "edit",
        status: "pending",
        input: { path: "x" },
      },
      options: [
        { optionId: "yes", name: "Allow", kind: "allow_once" },
        { optionId: "no", name: "Reject", kind: "reject_once" },
      ],
    });
    expect(reply(outputs)).toContain("permission: selected no");
  });

  it("answers a denial with an error, never with 'cancelled', when the agent offered no reject option", async () => {
    await start("none");
    const outputs = await runTurn("ask-without-reject", async () => ({ outcome: "rejected" }));
    expect(reply(outputs)).toMatch(/permission: error .*/);
    expect(reply(outputs)).not.toContain("permission: cancelled");
  });

  it("passes the selected option through", async () => {
    await start("none");
    const outputs = await runTurn("ask", async () => ({ outcome: "selected", optionId: "yes" }));
    expect(outputs).toContainEqual({ type: "tool_call_update", toolCallId: "call-1", status: "completed" });
    expect(reply(outputs)).toContain("permission: selected yes");
  });

  it("answers a pending permission request 'cancelled' when the turn is cancelled", async () => {
    await start("none");
    const outputs = await runTurn("ask", () => {
      void adapter.cancel();
      return new Promise<PermissionDecision>(() => undefined);
    });
    expect(outputs.at(-1)).toEqual({ type: "completed", stopReason: "cancelled" });
    // The session keeps working; the cancelled prompt was not recorded by the agent.
    expect(reply(await runTurn("after"))).toBe('heard "after" (prompt 1)');
  });

  it("fails start with the exit status when the agent binary cannot run", async () => {
    const broken = new AcpAdapter({ agentBinary: join(cwd, "no-such-agent"), launchArgs: [] });
    await expect(broken.start({ cwd, env: {}, onLog: () => undefined })).rejects.toThrow(
      /could not be started/,
    );
  });
});
