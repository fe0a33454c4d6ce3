import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_FC_SEED, fastCheckSeed } from "./fast-check-seed.js";

// Issue 8 item 13: property tests drew a fresh seed every run, so CI failed at random and the
// failure could not be replayed.

describe("fast-check seed", () => {
  it("is pinned for every test file by the setup file, FC_SEED overriding the default", () => {
    expect(fc.readConfigureGlobal().seed).toBe(fastCheckSeed(process.env));
    expect(fastCheckSeed({})).toBe(DEFAULT_FC_SEED);
    expect(fastCheckSeed({ FC_SEED: "" })).toBe(DEFAULT_FC_SEED);
    expect(fastCheckSeed({ FC_SEED: " -42 " })).toBe(-42);
    expect(() => fastCheckSeed({ FC_SEED: "abc" })).toThrow(/FC_SEED must be an integer/);
  });

  it("makes two runs of a property see the same values", () => {
    const seen = () => fc.sample(fc.string(), 20);
    expect(seen()).toEqual(seen());
  });

  it("names the seed in a failing property's report, to replay it", () => {
    const seed = fastCheckSeed(process.env);
    expect(() => fc.assert(fc.property(fc.nat(), (n) => n < 0))).toThrow(new RegExp(`seed: ${seed}\\b`));
  });
});
