import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeEvent, encodeEvent } from "./event-codec.js";
import type { Origin, StoredEvent } from "./log-store.js";

describe("event codec", () => {
  it("round-trips every event byte for byte, including non-ASCII text", () => {
    fc.assert(
      fc.property(
        fc.record({
          sequence: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
          timestampMs: fc.integer({ min: 0, max: 2 ** 48 }),
          origin: fc.integer({ min: 0, max: 4 }).map((o) => o as Origin),
          source: fc.string({ unit: "grapheme" }),
          eventType: fc.string(),
          payload: fc.json(),
        }),
        (fields) => {
          const event: StoredEvent = { axonId: "axn_x", ...fields };
          expect(decodeEvent("axn_x", encodeEvent(event))).toEqual(event);
        },
      ),
    );
  });

  it("refuses an encoding version it does not know instead of misreading it", () => {
    const bytes = encodeEvent({
      axonId: "a",
      sequence: 1,
      timestampMs: 0,
      origin: 3,
      source: "s",
      eventType: "t",
      payload: "{}",
    });
    bytes[0] = 9;
    expect(() => decodeEvent("a", bytes)).toThrow(/version 9/);
  });
});
