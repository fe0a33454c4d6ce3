import { isMutantActive, MUTANTS, setActiveMutants } from "@openaxon/core";
import { afterEach, expect, it } from "vitest";

afterEach(() => setActiveMutants([]));

it("no mutant is active unless a test switches it on, so production behaviour is the default", () => {
  for (const name of Object.keys(MUTANTS) as (keyof typeof MUTANTS)[])
    expect(isMutantActive(name)).toBe(false);
});

it("switches exactly the named mutants on, and all off again", () => {
  setActiveMutants(["ack-before-durable"]);
  expect(isMutantActive("ack-before-durable")).toBe(true);
  expect(isMutantActive("turn-while-running")).toBe(false);
  setActiveMutants([]);
  expect(isMutantActive("ack-before-durable")).toBe(false);
});
