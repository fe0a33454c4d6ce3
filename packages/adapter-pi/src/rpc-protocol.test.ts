import { describe, expect, it } from "vitest";
import { parseRecord, promptCommand, resultText } from "./rpc-protocol.js";

describe("promptCommand", () => {
  it("sends plain text as the message", () => {
    expect(promptCommand("p1", "Hello")).toEqual({ id: "p1", type: "prompt", message: "Hello" });
  });

  it("joins text blocks, gives links as text and images as Pi's image content", () => {
    expect(
      promptCommand("p2", [
        { type: "text", text: "Look:" },
        { type: "image", data: "AAAA", mimeType: "image/png" },
        { type: "resource_link", uri: "file:///a.ts", name: "a.ts" },
      ]),
    ).toEqual({
      id: "p2",
      type: "prompt",
      message: "Look:\n\n[a.ts](file:///a.ts)",
      images: [{ type: "image", data: "AAAA", mimeType: "image/png" }],
    });
  });
});

describe("parseRecord and resultText", () => {
  it("parses typed JSON objects only", () => {
    expect(parseRecord('{"type":"agent_start"}')).toEqual({ type: "agent_start" });
    expect(parseRecord("Loaded extension foo")).toBeUndefined();
    expect(parseRecord("[1]")).toBeUndefined();
    expect(parseRecord('{"id":"x"}')).toBeUndefined();
  });

  it("reads the text of a tool result", () => {
    expect(
      resultText({
        content: [
          { type: "text", text: "a" },
          { type: "image", data: "", mimeType: "image/png" },
          { type: "text", text: "b" },
        ],
      }),
    ).toBe("ab");
    expect(resultText(undefined)).toBe("");
  });
});
