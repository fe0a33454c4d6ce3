import { describe, expect, it } from "vitest";
import { ClaudeCodeTurnError, stopReasonOf, turnOutputsOf } from "./message-mapping.js";
import type { ResultMessage, StdoutMessage } from "./stream-json.js";

const delta = (d: Record<string, unknown>, parent: string | null = null): StdoutMessage => ({
  type: "stream_event",
  event: { type: "content_block_delta", index: 0, delta: d as { type: string } },
  parent_tool_use_id: parent,
});

describe("turnOutputsOf", () => {
  it("turns text and thinking deltas of the main conversation into chunks", () => {
    const seen = new Set<string>();
    expect(turnOutputsOf(delta({ type: "text_delta", text: "Hi" }), seen)).toEqual([
      { type: "message_chunk", text: "Hi" },
    ]);
    expect(turnOutputsOf(delta({ type: "thinking_delta", thinking: "Hm" }), seen)).toEqual([
      { type: "thought_chunk", text: "Hm" },
    ]);
    expect(turnOutputsOf(delta({ type: "input_json_delta", partial_json: "{" }), seen)).toEqual([]);
    expect(turnOutputsOf(delta({ type: "signature_delta", signature: "x" }), seen)).toEqual([]);
    expect(turnOutputsOf(delta({ type: "text_delta", text: "sub-agent" }, "toolu_task"), seen)).toEqual([]);
  });

  it("reports each tool_use once as a tool call, with a title and kind", () => {
    const seen = new Set<string>();
    const assistant: StdoutMessage = {
      type: "assistant",
      parent_tool_use_id: null,
      message: {
        content: [
          { type: "text", text: "Let me look." },
          { type: "tool_use", id: "t1", name: "Read", input: { file_path: "/a.txt" } },
        ],
      },
    };
    expect(turnOutputsOf(assistant, seen)).toEqual([
      {
        type: "tool_call",
        toolCallId: "t1",
        title: "Read: /a.txt",
        kind: "read",
        status: "pending",
        input: { file_path: "/a.txt" },
      },
    ]);
    expect(turnOutputsOf(assistant, seen)).toEqual([]);
  });

  it("turns tool results into completed or failed tool call updates", () => {
    const user: StdoutMessage = {
      type: "user",
      parent_tool_use_id: null,
      message: {
        content: [
          { type: "tool_result", tool_use_id: "t1", content: "hi\n", is_error: false },
          { type: "tool_result", tool_use_id: "t2", content: "denied", is_error: true },
        ],
      },
    };
    expect(turnOutputsOf(user, new Set())).toEqual([
      { type: "tool_call_update", toolCallId: "t1", status: "completed", output: "hi\n" },
      { type: "tool_call_update", toolCallId: "t2", status: "failed", output: "denied" },
    ]);
    const prompt: StdoutMessage = {
      type: "user",
      parent_tool_use_id: null,
      message: { content: "a prompt" },
    };
    expect(turnOutputsOf(prompt, new Set())).toEqual([]);
  });
});

describe("stopReasonOf", () => {
  const result = (fields: Partial<ResultMessage>): ResultMessage => ({
    type: "result",
    subtype: "success",
    is_error: false,
    session_id: "s",
    ...fields,
  });

  it("ends a successful turn with end_turn, or the model's max_tokens / refusal", () => {
    expect(stopReasonOf(result({ stop_reason: null }), false)).toBe("end_turn");
    expect(stopReasonOf(result({ stop_reason: "end_turn" }), false)).toBe("end_turn");
    expect(stopReasonOf(result({ stop_reason: "max_tokens" }), false)).toBe("max_tokens");
    expect(stopReasonOf(result({ stop_reason: "refusal" }), false)).toBe("refusal");
  });

  it("maps Claude Code's limits to stop reasons", () => {
    expect(stopReasonOf(result({ subtype: "error_max_turns", is_error: true }), false)).toBe("max_turns");
    expect(stopReasonOf(result({ subtype: "error_max_budget_usd", is_error: true }), false)).toBe(
      "max_budget",
    );
  });

  it("says cancelled for a cancelled turn, whatever Claude Code reports after the interrupt", () => {
    expect(stopReasonOf(result({ subtype: "error_during_execution" }), true)).toBe("cancelled");
    expect(stopReasonOf(result({}), true)).toBe("cancelled");
  });

  it("throws for failed turns, with Claude Code's explanation", () => {
    expect(() => stopReasonOf(result({ is_error: true, result: "API Error: 500" }), false)).toThrow(
      new ClaudeCodeTurnError("Claude Code turn failed: API Error: 500"),
    );
    expect(() =>
      stopReasonOf(
        result({ subtype: "error_during_execution", is_error: true, errors: ["boom", "bang"] }),
        false,
      ),
    ).toThrow("Claude Code turn failed (error_during_execution): boom; bang");
  });
});
