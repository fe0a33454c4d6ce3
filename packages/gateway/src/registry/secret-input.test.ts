import { describe, expect, it } from "vitest";
import { secretInputProblems } from "./secret-input.js";

const VALUE = "sk-test-value-0123456789";

describe("secretInputProblems", () => {
  it("accepts a named printable value", () => {
    expect(secretInputProblems({ name: "anthropic", value: VALUE })).toEqual([]);
  });

  it("lists every problem at once", () => {
    expect(secretInputProblems({ name: "", value: "" })).toEqual(["name is required", "value is required"]);
  });

  it("refuses values that cannot be injected or scrubbed safely, without quoting them", () => {
    const bad = [
      "short1",
      `${VALUE}\n`,
      `${VALUE}\r\nX-Evil: 1`,
      `a\u0000${VALUE}`,
      `${VALUE} `,
      `ключ-${VALUE}`,
    ];
    for (const value of bad) {
      const problems = secretInputProblems({ name: "n", value });
      expect(problems.length, JSON.stringify(value)).toBe(1);
      expect(problems.join(" ")).not.toContain(VALUE);
      expect(problems.join(" ")).not.toContain("short1");
    }
    expect(secretInputProblems({ name: "n", value: "x".repeat(16 * 1024 + 1) })).toEqual([
      "value is longer than 16384 characters",
    ]);
  });
});
