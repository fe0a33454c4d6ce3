import fc from "fast-check";
import { expect, it } from "vitest";
import { AGENT_STEPS, decodeScript, encodeScript, STOP_REASONS } from "./agent-script.js";

it("a script written into a prompt reads back the same", () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...AGENT_STEPS)),
      fc.constantFrom(...STOP_REASONS),
      (steps, stopReason) => {
        expect(decodeScript(encodeScript("p1", { steps, stopReason }))).toEqual({ steps, stopReason });
      },
    ),
  );
});

it("a prompt that carries no script is one chunk that ends the turn", () => {
  expect(decodeScript("hello")).toEqual({ steps: ["chunk"], stopReason: "end_turn" });
});
