import { describe, expect, it } from "vitest";
import { configurableHeaderNameError, forwardableHeaders, InvalidHeaderError } from "./http-headers.js";

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

describe("configurableHeaderNameError", () => {
  it("accepts ordinary header names and refuses hop-by-hop, framing, internal and malformed ones", () => {
    for (const name of ["x-api-key", "Authorization", "anthropic-version"]) {
      expect(configurableHeaderNameError(name)).toBeUndefined();
    }
    expect(configurableHeaderNameError("Keep-Alive")).toMatch(/hop-by-hop/);
    expect(configurableHeaderNameError("HOST")).toMatch(/set by the gateway/);
    expect(configurableHeaderNameError("x-openaxon-runtime")).toMatch(/reserved/);
    expect(configurableHeaderNameError("x:y")).toMatch(/not a valid HTTP header name/);
    expect(configurableHeaderNameError("")).toMatch(/not a valid HTTP header name/);
  });
});
