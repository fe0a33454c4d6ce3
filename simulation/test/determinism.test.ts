import { expect, it } from "vitest";
import { simulate } from "../src/simulation.js";

it("the same seed produces the same trace hash", async () => {
  const first = await simulate({ seed: 404, runs: 15 });
  const second = await simulate({ seed: 404, runs: 15 });
  expect(first.ok && second.ok).toBe(true);
  expect(second.traceHash).toBe(first.traceHash);
  const other = await simulate({ seed: 405, runs: 15 });
  expect(other.traceHash).not.toBe(first.traceHash);
}, 120_000);

it("--check-determinism runs every simulation twice and finds no divergence", async () => {
  const result = await simulate({ seed: 77, runs: 10, checkDeterminism: true });
  expect(result.failure?.message).toBeUndefined();
}, 120_000);
