import { describe, expect, it } from "vitest";
import { planEntriesOf, toolCallOf, toolCallUpdateOf } from "./item-mapping.js";

// Items as Codex 0.171.0 sent them in the end-to-end tests.
const command = {
  type: "commandExecution",
  id: "call_1",
  command: "/bin/bash -lc 'echo hi > hi.txt'",
  cwd: "/work",
  status: "inProgress",
  aggregatedOutput: null,
  exitCode: null,
};

describe("item mapping", () => {
  it("announces a command execution as an execute tool call titled with the command the model asked for", () => {
    expect(toolCallOf(command)).toEqual({
      type: "tool_call",
      toolCallId: "call_1",
      title: "echo hi > hi.txt",
      kind: "execute",
      status: "in_progress",
      input: { command: "echo hi > hi.txt" },
    });
  });

  it("completes it with exit code and output; a declined command is a failed tool call", () => {
    expect(
      toolCallUpdateOf({ ...command, status: "completed", exitCode: 0, aggregatedOutput: "ok\n" }),
    ).toEqual({
      type: "tool_call_update",
      toolCallId: "call_1",
      status: "completed",
      output: { exitCode: 0, output: "ok\n" },
    });
    expect(toolCallUpdateOf({ ...command, status: "declined" })?.status).toBe("failed");
  });

  it("maps file changes, MCP calls and web searches; messages and reasoning are no tool calls", () => {
    expect(
      toolCallOf({
        type: "fileChange",
        id: "p1",
        status: "inProgress",
        changes: [{ path: "a.ts" }, { path: "b.ts" }],
      }),
    ).toMatchObject({ title: "Edit a.ts, b.ts", kind: "edit" });
    expect(
      toolCallOf({
        type: "mcpToolCall",
        id: "m1",
        status: "inProgress",
        server: "docs",
        tool: "search",
        arguments: { q: 1 },
      }),
    ).toMatchObject({ title: "docs/search", kind: "other", input: { q: 1 } });
    expect(
      toolCallUpdateOf({
        type: "mcpToolCall",
        id: "m1",
        status: "failed",
        error: { message: "boom" },
        result: null,
      }),
    ).toMatchObject({ status: "failed", output: { message: "boom" } });
    expect(toolCallOf({ type: "webSearch", id: "w1", query: "codex" })).toMatchObject({ kind: "fetch" });
    expect(toolCallOf({ type: "agentMessage", id: "a1", text: "hi" })).toBeUndefined();
    expect(toolCallUpdateOf({ type: "reasoning", id: "r1" })).toBeUndefined();
  });

  it("turns plan steps into plan entries", () => {
    expect(planEntriesOf([{ step: "Read", status: "inProgress" }])).toEqual([
      { content: "Read", status: "in_progress", priority: "medium" },
    ]);
  });
});
