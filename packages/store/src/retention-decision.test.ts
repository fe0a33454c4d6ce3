import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Retention } from "./log-store.js";
import { decideTrim, type TrimCandidate } from "./retention-decision.js";

/** A log: ascending timestamps, positive sizes, starting at some first sequence. */
const logArb = fc
  .record({
    first: fc.integer({ min: 1, max: 50 }),
    steps: fc.array(
      fc.record({ dt: fc.integer({ min: 0, max: 100 }), bytes: fc.integer({ min: 13, max: 200 }) }),
      {
        maxLength: 40,
      },
    ),
  })
  .map(({ first, steps }) => {
    let t = 1_000;
    return steps.map((s, i): TrimCandidate => {
      t += s.dt;
      return { sequence: first + i, timestampMs: t, bytes: s.bytes };
    });
  });

const limit = (max: number) => fc.option(fc.integer({ min: 0, max }), { nil: undefined });
const retentionArb: fc.Arbitrary<Retention> = fc.record({
  maxAgeMs: limit(3000),
  maxEvents: limit(50),
  maxBytes: limit(5000),
});

/** The specification, stated from the retained suffix: the smallest cut whose suffix obeys every limit. */
function expectedCut(events: readonly TrimCandidate[], r: Retention, now: number): number {
  const obeys = (cut: number) => {
    const rest = events.slice(cut);
    if (rest.length === 0) return true;
    if (r.maxEvents && rest.length > r.maxEvents) return false;
    if (r.maxBytes && rest.reduce((a, e) => a + e.bytes, 0) > r.maxBytes) return false;
    return !(r.maxAgeMs && rest[0]!.timestampMs < now - r.maxAgeMs);
  };
  let cut = 0;
  while (!obeys(cut)) cut++;
  return cut;
}

function logOf(events: readonly TrimCandidate[], first: number) {
  return {
    firstSequence: first,
    headSequence: first + events.length - 1,
    retainedBytes: events.reduce((a, e) => a + e.bytes, 0),
  };
}

describe("decideTrim", () => {
  it("trims exactly the oldest events no limit allows, whatever the page size, never past the head", () => {
    fc.assert(
      fc.property(
        logArb,
        retentionArb,
        fc.integer({ min: 0, max: 6000 }),
        fc.integer({ min: 1, max: 8 }),
        (events, r, now, pageSize) => {
          const first = events[0]?.sequence ?? 1;
          const want = expectedCut(events, r, now);
          // Fed in pages, as the store does: the next page only while a whole page went.
          let log = logOf(events, first);
          let at = 0;
          for (;;) {
            const page = events.slice(at, at + pageSize);
            const step = decideTrim(log, r, now, page);
            log = step.log;
            at += step.trimmed;
            if (page.length === 0 || step.trimmed < page.length) break;
          }
          expect(at).toBe(want);
          expect(log.firstSequence).toBe(first + want);
          expect(log.headSequence).toBe(first + events.length - 1);
          expect(log.firstSequence).toBeLessThanOrEqual(log.headSequence + 1);
          expect(log.retainedBytes).toBe(events.slice(want).reduce((a, e) => a + e.bytes, 0));
        },
      ),
    );
  });

  it("trims nothing when no limit is set", () => {
    fc.assert(
      fc.property(logArb, fc.integer({ min: 0, max: 1e9 }), (events, now) => {
        const first = events[0]?.sequence ?? 1;
        expect(decideTrim(logOf(events, first), {}, now, events).trimmed).toBe(0);
        expect(
          decideTrim(logOf(events, first), { maxAgeMs: 0, maxBytes: 0, maxEvents: 0 }, now, events).trimmed,
        ).toBe(0);
      }),
    );
  });

  it("keeps the newest max_events, and lets max_age trim everything", () => {
    const events = [1, 2, 3, 4, 5].map((sequence) => ({ sequence, timestampMs: sequence * 10, bytes: 20 }));
    expect(decideTrim(logOf(events, 1), { maxEvents: 2 }, 0, events).log.firstSequence).toBe(4);
    expect(decideTrim(logOf(events, 1), { maxBytes: 60 }, 0, events).log.firstSequence).toBe(3);
    expect(decideTrim(logOf(events, 1), { maxAgeMs: 5 }, 1000, events).log.firstSequence).toBe(6);
    // An event exactly max_age old stays.
    expect(decideTrim(logOf(events, 1), { maxAgeMs: 20 }, 50, events).log.firstSequence).toBe(3);
  });

  it("refuses a page that does not start at the first retained sequence", () => {
    const events = [{ sequence: 2, timestampMs: 0, bytes: 13 }];
    expect(() => decideTrim(logOf(events, 1), { maxEvents: 1 }, 0, events)).toThrow(RangeError);
  });
});
