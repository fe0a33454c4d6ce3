import { MUTANTS, type MutantName } from "@openaxon/core";
import { describe, expect, it } from "vitest";
import { MUTANT_BUDGET, MUTANT_CATCHERS } from "../src/budget.js";
import { simulate } from "../src/simulation.js";

/**
 * The harness proves it can fail: each deliberately broken variant of production behaviour must be
 * caught, by an invariant that is about what it broke, within the CI budget.
 */
describe("the mutant suite", () => {
  for (const name of Object.keys(MUTANTS) as MutantName[]) {
    it(`catches ${name}: ${MUTANTS[name]}`, async () => {
      const result = await simulate({ ...MUTANT_BUDGET, mutants: [name], noShrink: true });
      expect(result.ok, `${name} survived ${MUTANT_BUDGET.runs} runs`).toBe(false);
      expect(MUTANT_CATCHERS[name]).toContain(result.failure?.invariant);
      expect(result.failure!.runsToFailure).toBeLessThanOrEqual(MUTANT_BUDGET.runs);
    }, 120_000);
  }

  it("has a catcher listed for every mutant", () => {
    expect(Object.keys(MUTANT_CATCHERS).sort()).toEqual(Object.keys(MUTANTS).sort());
  });
});
