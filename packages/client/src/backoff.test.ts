import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffDelay, resolveRetryOptions } from "./backoff.js";
import { systemTimers } from "./timers.js";

describe("backoffDelay", () => {
  it("doubles the ceiling per attempt up to maxDelayMs", () => {
    const options = resolveRetryOptions(systemTimers, {
      initialDelayMs: 100,
      maxDelayMs: 1000,
      random: () => 0.999999,
    });
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, options))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it("keeps every delay within [ceiling/2, ceiling]", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 100 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (initialDelayMs, attempt, random) => {
          const options = resolveRetryOptions(systemTimers, {
            initialDelayMs,
            maxDelayMs: 60_000,
            random: () => random,
          });
          const ceiling = Math.min(60_000, initialDelayMs * 2 ** Math.min(attempt - 1, 30));
          const delay = backoffDelay(attempt, options);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
          expect(delay).toBeLessThanOrEqual(ceiling);
        },
      ),
    );
  });

  it("lets later option layers override earlier ones", () => {
    const options = resolveRetryOptions(
      systemTimers,
      { initialDelayMs: 1, maxAttempts: 3 },
      { maxAttempts: 7 },
    );
    expect(options.initialDelayMs).toBe(1);
    expect(options.maxAttempts).toBe(7);
    expect(resolveRetryOptions(systemTimers).maxAttempts).toBe(Number.POSITIVE_INFINITY);
  });
});
