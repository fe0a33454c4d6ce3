import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AppendedEvents, joinAppends } from "./join-appends.js";
import type { StoredEvent } from "./log-store.js";

const event = (axonId: string, sequence: number, timestampMs: number): StoredEvent => ({
  axonId,
  sequence,
  timestampMs,
  origin: 1,
  source: "s",
  eventType: "t",
  payload: "{}",
});

/** Appends to up to three axons, interleaved, each axon's in sequence order, sometimes with a gap. */
const appendsArb = fc
  .array(
    fc.record({
      axon: fc.constantFrom("a", "b", "c"),
      size: fc.integer({ min: 1, max: 4 }),
      gap: fc.boolean(),
    }),
    {
      maxLength: 30,
    },
  )
  .map((steps) => {
    const next = new Map<string, number>();
    return steps.map(({ axon, size, gap }, i): AppendedEvents => {
      const first = (next.get(axon) ?? 1) + (gap ? 2 : 0);
      next.set(axon, first + size);
      return { axonId: axon, events: Array.from({ length: size }, (_, k) => event(axon, first + k, i)) };
    });
  });

describe("joinAppends", () => {
  it("keeps every event, in order per axon, in runs of consecutive sequences, one run per gap-free stretch", () => {
    fc.assert(
      fc.property(appendsArb, (appends) => {
        const runs = joinAppends(appends);
        for (const axon of ["a", "b", "c"]) {
          const input = appends.filter((a) => a.axonId === axon).flatMap((a) => a.events);
          const output = runs.filter((r) => r.axonId === axon).flatMap((r) => r.events);
          expect(output).toEqual(input);
          const gaps = input.filter((e, i) => i > 0 && e.sequence !== input[i - 1]!.sequence + 1).length;
          expect(runs.filter((r) => r.axonId === axon).length).toBe(input.length === 0 ? 0 : gaps + 1);
        }
        for (const run of runs) {
          expect(run.events.every((e, i) => i === 0 || e.sequence === run.events[i - 1]!.sequence + 1)).toBe(
            true,
          );
        }
      }),
    );
  });

  it("does not change the appends it was given", () => {
    const appends = [
      { axonId: "a", events: [event("a", 1, 0)] },
      { axonId: "a", events: [event("a", 2, 1)] },
    ];
    joinAppends(appends);
    expect(appends.map((a) => a.events.length)).toEqual([1, 1]);
  });
});
