import { Code, type ConnectError } from "@connectrpc/connect";
import { describe, expect, test } from "vitest";
import { clampPageSize, requireAxonId, toSequence } from "./validate-fields.js";

describe("requireAxonId", () => {
  test("accepts axon ids and rejects anything else as INVALID_ARGUMENT", () => {
    expect(requireAxonId("axn_01jq3v7k2m9x8p4r6t0w5y1z3c")).toBe("axn_01jq3v7k2m9x8p4r6t0w5y1z3c");
    for (const bad of [
      "",
      "axn_",
      "run_01jq3v7k2m9x8p4r6t0w5y1z3c",
      "axn_01jq3v7k2m9x8p4r6t0w5y1z3cX",
      "../etc",
    ]) {
      expect(() => requireAxonId(bad, "id")).toThrow(
        expect.objectContaining({ code: Code.InvalidArgument, rawMessage: expect.stringMatching(/^id /) }),
      );
    }
  });

  test("keeps messages short for huge inputs", () => {
    try {
      requireAxonId("x".repeat(10_000));
    } catch (error) {
      expect((error as ConnectError).rawMessage.length).toBeLessThan(200);
    }
  });
});

test("toSequence accepts the safe integer range only", () => {
  expect(toSequence(0n, "after_sequence")).toBe(0);
  expect(toSequence(BigInt(Number.MAX_SAFE_INTEGER), "after_sequence")).toBe(Number.MAX_SAFE_INTEGER);
  expect(() => toSequence(BigInt(Number.MAX_SAFE_INTEGER) + 1n, "after_sequence")).toThrow(/after_sequence/);
});

test("clampPageSize defaults zero and clamps above the maximum", () => {
  expect(clampPageSize(0, 100, 1000)).toBe(100);
  expect(clampPageSize(7, 100, 1000)).toBe(7);
  expect(clampPageSize(5000, 100, 1000)).toBe(1000);
});
