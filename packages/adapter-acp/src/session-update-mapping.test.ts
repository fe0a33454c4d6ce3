import type { SessionUpdate } from "@agentclientprotocol/sdk";
import { describe, expect, it } from "vitest";
import { promptBlocks, turnOutputOf } from "./session-update-mapping.js";

describe("turnOutputOf", () => {
  it("maps message and thought chunks, dropping empty and non-text ones", () => {
    expect(
      turnOutputOf({ sessionUpdate: "agent_message_chunk", content: { type: "text", text: "hi" } }),
    ).toEqual({
      type: "message_chunk",
      text: "hi",
    });
    expect(
      turnOutputOf({ sessionUpdate: "agent_thought_chunk", content: { type: "text", text: "hm" } }),
    ).toEqual({
      type: "thought_chunk",
      text: "hm",
    });
    expect(
      turnOutputOf({ sessionUpdate: "agent_message_chunk", content: { type: "text", text: "" } }),
    ).toBeUndefined();
    const image: SessionUpdate = {
      sessionUpdate: "agent_message_chunk",
      content: { type: "image", data: "AA==", mimeType: "image/png" },
    };
    expect(turnOutputOf(image)).toBeUndefined();
  });

  it("maps tool calls with defaults for what the agent left out", () => {
    expect(
      turnOutputOf({
        sessionUpdate: "tool_call",
        toolCallId: "c1",
        title: "Run",
        rawInput: { command: "ls" },
      }),
    ).toEqual({
      type: "tool_call",
      toolCallId: "c1",
      title: "Run",
      kind: "other",
      status: "pending",
      input: { command: "ls" },
    });
  });

  it("maps tool call updates with only the fields present, output from rawOutput before content", () => {
    expect(
      turnOutputOf({
        sessionUpdate: "tool_call_update",
        toolCallId: "c1",
        status: "completed",
        rawOutput: "done",
      }),
    ).toEqual({ type: "tool_call_update", toolCallId: "c1", status: "completed", output: "done" });
    const content = [{ type: "content" as const, content: { type: "text" as const, text: "out" } }];
    expect(turnOutputOf({ sessionUpdate: "tool_call_update", toolCallId: "c1", content })).toEqual({
      type: "tool_call_update",
      toolCallId: "c1",
      output: content,
    });
    expect(
      turnOutputOf({ sessionUpdate: "tool_call_update", toolCallId: "c1", _meta: { x: 1 } }),
    ).toBeUndefined();
  });

  it("maps plans and ignores updates about the session rather than the turn", () => {
    const entries = [{ content: "step", priority: "low" as const, status: "pending" as const }];
    expect(turnOutputOf({ sessionUpdate: "plan", entries })).toEqual({ type: "plan", entries });
    expect(
      turnOutputOf({ sessionUpdate: "user_message_chunk", content: { type: "text", text: "echo" } }),
    ).toBeUndefined();
    expect(
      turnOutputOf({ sessionUpdate: "available_commands_update", availableCommands: [] }),
    ).toBeUndefined();
    expect(turnOutputOf({ sessionUpdate: "current_mode_update", currentModeId: "plan" })).toBeUndefined();
  });
});

describe("promptBlocks", () => {
  it("sends a string as one text block and maps each content block", () => {
    expect(promptBlocks("hello")).toEqual([{ type: "text", text: "hello" }]);
    expect(
      promptBlocks([
        { type: "text", text: "see" },
        { type: "image", data: "AA==", mimeType: "image/png" },
        { type: "resource_link", uri: "file:///a.txt" },
      ]),
    ).toEqual([
      { type: "text", text: "see" },
      { type: "image", data: "AA==", mimeType: "image/png" },
      { type: "resource_link", uri: "file:///a.txt", name: "file:///a.txt" },
    ]);
  });
});
