import { describe, expect, it } from "vitest";
import { stopReasonOf, turnOutputsOf } from "./event-mapping.js";

describe("turnOutputsOf", () => {
  it("maps text and thinking deltas to chunks and ignores the other stream events", () => {
    const running = new Set<string>();
    const update = (type: string, delta?: string) =>
      turnOutputsOf(
        { type: "message_update", assistantMessageEvent: { type, ...(delta !== undefined && { delta }) } },
        running,
      );

    expect(update("text_delta", "Hello")).toEqual([{ type: "message_chunk", text: "Hello" }]);
    expect(update("thinking_delta", "Hmm")).toEqual([{ type: "thought_chunk", text: "Hmm" }]);
    expect(update("toolcall_delta", '{"command":')).toEqual([]);
    expect(update("text_start")).toEqual([]);
    expect(update("text_delta", "")).toEqual([]);
  });

  it("reports a tool call, running once however often it streams, then its result", () => {
    const running = new Set<string>();
    const base = { toolCallId: "t1", toolName: "bash" };

    expect(
      turnOutputsOf({ type: "tool_execution_start", ...base, args: { command: "ls" } }, running),
    ).toEqual([
      {
        type: "tool_call",
        toolCallId: "t1",
        title: "bash: ls",
        kind: "execute",
        status: "pending",
        input: { command: "ls" },
      },
    ]);
    const partial = { content: [{ type: "text" as const, text: "a" }] };
    expect(
      turnOutputsOf({ type: "tool_execution_update", ...base, partialResult: partial }, running),
    ).toEqual([{ type: "tool_call_update", toolCallId: "t1", status: "in_progress" }]);
    expect(
      turnOutputsOf({ type: "tool_execution_update", ...base, partialResult: partial }, running),
    ).toEqual([]);
    expect(
      turnOutputsOf(
        {
          type: "tool_execution_end",
          ...base,
          isError: true,
          result: { content: [{ type: "text", text: "exit 1" }] },
        },
        running,
      ),
    ).toEqual([{ type: "tool_call_update", toolCallId: "t1", status: "failed", output: "exit 1" }]);
    expect(running.size).toBe(0);
  });
});

describe("stopReasonOf", () => {
  const assistant = (stopReason: string, errorMessage?: string) => ({
    role: "assistant",
    stopReason,
    ...(errorMessage !== undefined && { errorMessage }),
  });

  it("maps Pi's stop reasons from the run's last assistant message", () => {
    expect(
      stopReasonOf(
        [{ role: "user" }, assistant("toolUse"), { role: "toolResult" }, assistant("stop")],
        false,
      ),
    ).toBe("end_turn");
    expect(stopReasonOf([assistant("length")], false)).toBe("max_tokens");
    expect(stopReasonOf([assistant("aborted")], false)).toBe("cancelled");
    expect(stopReasonOf([], false)).toBe("end_turn");
  });

  it("throws the model's error, and says cancelled for a cancelled turn whatever Pi says", () => {
    expect(() => stopReasonOf([assistant("error", "400 bad request")], false)).toThrow(
      "turn failed: 400 bad request",
    );
    expect(stopReasonOf([assistant("error", "aborted mid-request")], true)).toBe("cancelled");
    expect(stopReasonOf([assistant("stop")], true)).toBe("cancelled");
  });
});
