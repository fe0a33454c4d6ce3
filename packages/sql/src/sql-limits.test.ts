import { describe, expect, it } from "vitest";
import { DEFAULT_SQL_LIMITS, paramProblem, statementSizeProblem } from "./sql-limits.js";

describe("SQL limits", () => {
  it("measures SQL text in UTF-8 bytes", () => {
    const limits = { ...DEFAULT_SQL_LIMITS, maxSqlBytes: 10 };
    expect(statementSizeProblem("SELECT 1", [], limits)).toBeUndefined();
    expect(statementSizeProblem("SELECT 'é'", [], limits)).toBe("SQL text is 11 bytes; the limit is 10");
  });

  it("refuses NaN and integers outside 64 bits, and accepts the extremes", () => {
    expect(paramProblem(Number.NaN, 0)).toMatch(/parameter 1 is NaN/);
    expect(paramProblem(2n ** 63n, 1)).toMatch(/parameter 2 is outside/);
    expect(paramProblem(2n ** 63n - 1n, 0)).toBeUndefined();
    expect(paramProblem(-(2n ** 63n), 0)).toBeUndefined();
    expect(paramProblem(Number.POSITIVE_INFINITY, 0)).toBeUndefined();
    expect(paramProblem(-0, 0)).toBeUndefined();
    expect(paramProblem("a\u0000", 2)).toMatch(/parameter 3 contains a NUL/);
  });
});
