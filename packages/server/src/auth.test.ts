import { describe, expect, test } from "vitest";
import { assertAuthConfigured, isLoopbackHost } from "./auth.js";

describe("isLoopbackHost", () => {
  test.each(["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST", "::ffff:127.0.0.1"])(
    "%s is loopback",
    (host) => {
      expect(isLoopbackHost(host)).toBe(true);
    },
  );
  test.each(["0.0.0.0", "::", "10.0.0.1", "192.168.1.2", "example.com", "128.0.0.1", "::ffff:10.0.0.1", ""])(
    "%s is not loopback",
    (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    },
  );
});

describe("assertAuthConfigured", () => {
  test("allows loopback without keys and anything with keys", () => {
    expect(() => assertAuthConfigured("127.0.0.1", [])).not.toThrow();
    expect(() => assertAuthConfigured("0.0.0.0", ["secret"])).not.toThrow();
  });
  test("refuses a non-loopback host without keys, saying how to fix it", () => {
    expect(() => assertAuthConfigured("0.0.0.0", [])).toThrow(
      /refusing to serve on 0\.0\.0\.0 without an API key/,
    );
  });
  test("refuses blank keys", () => {
    expect(() => assertAuthConfigured("127.0.0.1", ["ok", " "])).toThrow(/empty key/);
  });
});
