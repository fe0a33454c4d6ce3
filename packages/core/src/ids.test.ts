import { isId, newId, seededRng } from "@openaxon/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const fixedClock = (now: number) => ({ now: () => now, setTimer: () => ({ cancel() {} }) });

describe("newId", () => {
  it("makes ids with the prefix and shape clients validate", () => {
    const id = newId("axn", fixedClock(1_700_000_000_000), seededRng(1));
    expect(isId("axn", id)).toBe(true);
    expect(isId("rt", id)).toBe(false);
  });

  it("sorts by creation time", () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 47 }), fc.nat({ max: 2 ** 47 }), fc.integer(), (t1, t2, seed) => {
        const rng = seededRng(seed);
        const a = newId("axn", fixedClock(t1), rng);
        const b = newId("axn", fixedClock(t2), rng);
        if (t1 < t2) expect(a < b).toBe(true);
      }),
    );
  });

  it("is reproducible from a seed", () => {
    const a = newId("axn", fixedClock(5), seededRng(42));
    const b = newId("axn", fixedClock(5), seededRng(42));
    expect(a).toBe(b);
  });
});
