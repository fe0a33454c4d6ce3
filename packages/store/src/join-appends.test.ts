import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AppendedEvents, joinAppends } from "./join-appends.js";
import { eventSize, type StoredEvent } from "./log-store.js";

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

  it("with limits, joins whole appends only while the run stays within them, losing and reordering nothing", () => {
    const limitsArb = fc.record({
      maxEvents: fc.integer({ min: 1, max: 8 }),
      maxBytes: fc.integer({ min: 1, max: 400 }),
    });
    fc.assert(
      fc.property(appendsArb, limitsArb, (appends, limits) => {
        const runs = joinAppends(appends, limits);
        for (const axon of ["a", "b", "c"]) {
          const input = appends.filter((a) => a.axonId === axon).flatMap((a) => a.events);
          expect(runs.filter((r) => r.axonId === axon).flatMap((r) => r.events)).toEqual(input);
        }
        // Every run is one or more whole appends: it starts where some append starts.
        const starts = new Set(appends.map((a) => a.events[0]));
        for (const run of runs) {
          expect(starts.has(run.events[0])).toBe(true);
          const bytes = run.events.reduce((sum, e) => sum + eventSize(e), 0);
          const alone = appends.some((a) => a.events === run.events);
          // Over the limits only when the run is a single append that is over them by itself.
          if (!alone) {
            expect(run.events.length).toBeLessThanOrEqual(limits.maxEvents);
            expect(bytes).toBeLessThanOrEqual(limits.maxBytes);
          }
        }
      }),
    );
  });

  it("hands back a lone append's own array rather than a copy", () => {
    const appends = [
      { axonId: "a", events: [event("a", 1, 0)] },
      { axonId: "b", events: [event("b", 1, 0)] },
    ];
    const runs = joinAppends(appends);
    expect(runs.map((r) => r.events)).toEqual([appends[0]!.events, appends[1]!.events]);
    expect(runs[0]!.events).toBe(appends[0]!.events);
  });
});
