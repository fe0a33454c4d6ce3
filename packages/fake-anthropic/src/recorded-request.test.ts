import { describe, expect, it } from "vitest";
import { lastUserText, type MessageParam, type RecordedRequest, transcript } from "./recorded-request.js";

const request = (messages: MessageParam[]): RecordedRequest => ({
  method: "POST",
  path: "/v1/messages",
  query: "",
  headers: {},
  body: { messages },
  kind: "main",
});

describe("transcript", () => {
  it("shows the conversation a model was sent, tool calls and refusals included", () => {
    const seen = request([
      { role: "user", content: "Write hi" },
      {
        role: "assistant",
        content: [
          { type: "text", text: "Sure." },
          { type: "tool_use", id: "t1", name: "Bash", input: { command: "echo hi" } },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "t1", is_error: true, content: "User refused permission" },
          { type: "text", text: "Why not?" },
        ],
      },
      { role: "assistant", content: [{ type: "thinking", thinking: "hmm" }] },
      {
        role: "user",
        content: [{ type: "tool_result", tool_use_id: "t2", content: [{ type: "text", text: "hi" }] }],
      },
    ]);
    expect(transcript(seen).split("\n")).toEqual([
      "user: Write hi",
      "assistant: Sure.",
      'tool_use Bash {"command":"echo hi"}',
      "tool_result error: User refused permission",
      "user: Why not?",
      "assistant: [thinking]",
      "tool_result ok: hi",
    ]);
  });

  it("finds the last thing the user said in text", () => {
    const seen = request([
      { role: "user", content: "first" },
      { role: "assistant", content: "answer" },
      { role: "user", content: [{ type: "text", text: "second" }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: "x" }] },
    ]);
    expect(lastUserText(seen)).toBe("second");
    expect(lastUserText(request([]))).toBe("");
  });
});
