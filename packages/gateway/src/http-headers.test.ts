import { describe, expect, it } from "vitest";
import { forwardableHeaders, InvalidHeaderError } from "./http-headers.js";

describe("forwardableHeaders", () => {
  it("drops hop-by-hop, proxy, internal and Connection-listed headers; keeps the rest in order", () => {
    const raw = [
      "Host",
      "a.example",
      "Proxy-Authorization",
      "Basic eA==",
      "Proxy-Connection",
      "keep-alive",
      "Connection",
      "keep-alive, X-Drop-Me",
      "X-Drop-Me",
      "1",
      "X-OpenAxon-Runtime",
      "rt_1",
      "Accept",
      "a",
      "accept",
      "b",
      "TE",
      "trailers",
    ];
    expect(forwardableHeaders(raw)).toEqual(["Accept", "a", "accept", "b"]);
  });

  it("rejects CR, LF and NUL in values", () => {
    for (const value of ["a\r\nX-Injected: 1", "a\nb", "a\0b"]) {
      expect(() => forwardableHeaders(["X-Evil", value])).toThrow(InvalidHeaderError);
    }
  });
});
