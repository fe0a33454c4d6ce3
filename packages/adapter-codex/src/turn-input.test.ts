import { describe, expect, it } from "vitest";
import { turnErrorText, userInputOf } from "./turn-input.js";

describe("turn input", () => {
  it("sends text, images as data URLs and resource links as text", () => {
    expect(userInputOf("hi")).toEqual([{ type: "text", text: "hi", text_elements: [] }]);
    expect(
      userInputOf([
        { type: "image", mimeType: "image/png", data: "AAAA" },
        { type: "resource_link", uri: "file:///a.md", name: "a" },
      ]),
    ).toEqual([
      { type: "image", url: "data:image/png;base64,AAAA" },
      { type: "text", text: "[a](file:///a.md)", text_elements: [] },
    ]);
  });

  it("reads the API's message out of the error body Codex passes through", () => {
    const body = JSON.stringify({
      error: { message: "max_tokens: bogus value", type: "invalid_request_error" },
    });
    expect(turnErrorText(body)).toBe("max_tokens: bogus value");
    expect(turnErrorText("stream disconnected", "retry later")).toBe("stream disconnected (retry later)");
  });
});
