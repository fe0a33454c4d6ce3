import { describe, expect, it } from "vitest";
import { encodePayload } from "./payload.js";

describe("encodePayload", () => {
  it("takes strings as JSON text verbatim", () => {
    expect(encodePayload('{"a": 1}')).toBe('{"a": 1}');
    expect(encodePayload('"hi"')).toBe('"hi"');
  });

  it("serialises other values", () => {
    expect(encodePayload({ text: "hi" })).toBe('{"text":"hi"}');
    expect(encodePayload([1, 2])).toBe("[1,2]");
    expect(encodePayload(null)).toBe("null");
    expect(encodePayload(3)).toBe("3");
  });

  it("rejects values JSON cannot represent", () => {
    expect(() => encodePayload((() => 1) as unknown as object)).toThrow(/not JSON-serialisable/);
  });
});
