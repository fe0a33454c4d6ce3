import { describe, expect, it } from "vitest";
import { controlError, controlRequest, controlSuccess, parseStdoutLine, userMessage } from "./stream-json.js";

describe("stream-json lines", () => {
  it("parses typed JSON objects and ignores anything else", () => {
    expect(parseStdoutLine('{"type":"keep_alive"}')).toEqual({ type: "keep_alive" });
    expect(parseStdoutLine("not json")).toBeUndefined();
    expect(parseStdoutLine('{"no":"type"}')).toBeUndefined();
    expect(parseStdoutLine("[1,2]")).toBeUndefined();
  });

  it("writes a user turn the way the Agent SDK does", () => {
    expect(userMessage("hello")).toEqual({
      type: "user",
      session_id: "",
      message: { role: "user", content: [{ type: "text", text: "hello" }] },
      parent_tool_use_id: null,
    });
  });

  it("turns images into base64 image blocks and links into text", () => {
    const message = userMessage([
      { type: "image", data: "AA==", mimeType: "image/png" },
      { type: "resource_link", uri: "file:///a.txt", name: "a.txt" },
      { type: "resource_link", uri: "https://x.test" },
    ]) as { message: { content: unknown[] } };
    expect(message.message.content).toEqual([
      { type: "image", source: { type: "base64", media_type: "image/png", data: "AA==" } },
      { type: "text", text: "[a.txt](file:///a.txt)" },
      { type: "text", text: "https://x.test" },
    ]);
  });

  it("frames control requests and responses", () => {
    expect(controlRequest("r1", { subtype: "interrupt" })).toEqual({
      type: "control_request",
      request_id: "r1",
      request: { subtype: "interrupt" },
    });
    expect(controlSuccess("r2", { behavior: "allow" })).toEqual({
      type: "control_response",
      response: { subtype: "success", request_id: "r2", response: { behavior: "allow" } },
    });
    expect(controlError("r3", "nope")).toEqual({
      type: "control_response",
      response: { subtype: "error", request_id: "r3", error: "nope" },
    });
  });
});
