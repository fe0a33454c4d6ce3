import { expect, it } from "vitest";
import { CI_BUDGET } from "../src/budget.js";
import { COVERAGE_EVENTS, REQUIRED_COVERAGE } from "../src/coverage.js";
import { simulate } from "../src/simulation.js";

it(`keeps every invariant over the CI budget (${CI_BUDGET.runs} runs from seed ${CI_BUDGET.seed}), and every interesting event happens`, async () => {
  const result = await simulate(CI_BUDGET);
  expect(result.failure?.message).toBeUndefined();
  expect(result.ok).toBe(true);
  expect(result.runs).toBe(CI_BUDGET.runs);
  const missing = REQUIRED_COVERAGE.filter((k) => result.coverage[k] === 0).map(
    (k) => `${k}: ${COVERAGE_EVENTS[k]}`,
  );
  expect(missing, "coverage counters that stayed zero over the budget").toEqual([]);
}, 120_000);
