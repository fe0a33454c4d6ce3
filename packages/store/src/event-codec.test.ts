import { crc32 } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  chunkFirstSequence,
  chunkLastSequence,
  chunkProblem,
  chunkStoredBytes,
  decodeChunk,
  encodeChunk,
  splitIntoChunks,
} from "./event-codec.js";
import { type Origin, type StoredEvent, storedEventBytes } from "./log-store.js";

const fields = fc.record({
  origin: fc.integer({ min: 0, max: 4 }).map((o) => o as Origin),
  source: fc.string({ unit: "grapheme" }),
  eventType: fc.string(),
  payload: fc.json(),
});

/** One append's events (one timestamp) or several appends merged at group commit (timestamps rise). */
const chunkArb = fc
  .tuple(
    fc.integer({ min: 1, max: 2 ** 40 }),
    fc.integer({ min: 0, max: 2 ** 48 }),
    fc.array(fc.record({ f: fields, later: fc.oneof(fc.constant(0), fc.nat(5)) }), {
      minLength: 1,
      maxLength: 20,
    }),
    fc.boolean(),
  )
  .map(([first, start, items, merged]) => {
    let timestampMs = start;
    return items.map(({ f, later }, i): StoredEvent => {
      if (merged) timestampMs += later;
      return { axonId: "axn_x", sequence: first + i, timestampMs, ...f };
    });
  });

describe("event chunk codec", () => {
  it("round-trips every event byte for byte, including non-ASCII text", () => {
    fc.assert(
      fc.property(chunkArb, (events) => {
        const bytes = encodeChunk(events);
        expect(decodeChunk("axn_x", bytes)).toEqual(events);
        expect(chunkFirstSequence(bytes)).toBe(events[0]!.sequence);
        expect(chunkLastSequence(bytes)).toBe(events.at(-1)!.sequence);
      }),
    );
  });

  it("decodes exactly the requested sequence range", () => {
    fc.assert(
      fc.property(chunkArb, fc.nat(25), fc.nat(25), (events, a, b) => {
        const first = events[0]!.sequence;
        const [from, to] = [first + Math.min(a, b), first + Math.max(a, b)];
        const decoded = decodeChunk("axn_x", encodeChunk(events), from, to);
        expect(decoded).toEqual(events.filter((e) => e.sequence >= from && e.sequence <= to));
      }),
    );
  });

  it("writes version 3 when the events share a timestamp and version 4 only when they differ", () => {
    fc.assert(
      fc.property(chunkArb, (events) => {
        const shared = events.every((e) => e.timestampMs === events[0]!.timestampMs);
        expect(encodeChunk(events)[0]).toBe(shared ? 3 : 4);
      }),
    );
  });

  it("counts stored bytes as storedEventBytes summed, whatever the version", () => {
    fc.assert(
      fc.property(chunkArb, (events) => {
        const expected = events.reduce((sum, e) => sum + storedEventBytes(e), 0);
        expect(chunkStoredBytes(encodeChunk(events))).toBe(expected);
      }),
    );
  });

  it("catches any flipped byte or truncation in a chunk of merged appends", () => {
    fc.assert(
      fc.property(
        chunkArb.filter((events) => events.some((e) => e.timestampMs !== events[0]!.timestampMs)),
        fc.nat(),
        fc.nat(),
        (events, at, cut) => {
          const bytes = Buffer.from(encodeChunk(events));
          const flipped = Buffer.from(bytes);
          const i = at % bytes.length;
          flipped[i] = flipped[i]! ^ 0xff;
          expect(chunkProblem(flipped)).toBeDefined();
          expect(chunkProblem(bytes.subarray(0, cut % bytes.length))).toBeDefined();
        },
      ),
    );
  });

  it("passes a chunk exactly when it decodes, even damaged under a valid checksum", () => {
    // The check walks the fields without decoding them; a damaged length with its checksum
    // recomputed (what only the walk can catch) must fail it exactly when decoding would fail.
    fc.assert(
      fc.property(chunkArb, fc.nat(), fc.nat(255), fc.nat(), (events, at, value, cut) => {
        const bytes = Buffer.from(encodeChunk(events));
        const i = 25 + (at % (bytes.length - 25)); // past the header: the event fields
        bytes[i] = value;
        const damaged = bytes.subarray(0, bytes.length - (cut % 3 === 0 ? cut % 7 : 0));
        damaged.writeUInt32LE(crc32(damaged.subarray(5)), 1);
        let decodes = true;
        try {
          decodeChunk("axn_x", damaged);
        } catch {
          decodes = false;
        }
        expect(chunkProblem(damaged) === undefined).toBe(decodes);
      }),
    );
  });

  it("refuses an encoding version it does not know instead of misreading it", () => {
    const bytes = encodeChunk([
      { axonId: "a", sequence: 1, timestampMs: 0, origin: 3, source: "s", eventType: "t", payload: "{}" },
    ]);
    bytes[0] = 9;
    expect(() => decodeChunk("a", bytes)).toThrow(/version 9/);
  });

  it("splits large appends by event count and bytes, keeping order and at least one event per chunk", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(3000), { minLength: 1, maxLength: 600 }), (sizes) => {
        const events = sizes.map(
          (n, i): StoredEvent => ({
            axonId: "a",
            sequence: i + 1,
            timestampMs: 0,
            origin: 3,
            source: "",
            eventType: "",
            payload: "x".repeat(n),
          }),
        );
        const chunks = splitIntoChunks(events, 256, 10_000);
        expect(chunks.flat()).toEqual(events);
        for (const chunk of chunks) {
          expect(chunk.length).toBeGreaterThan(0);
          expect(chunk.length).toBeLessThanOrEqual(256);
          const bytes = chunk.reduce((sum, e) => sum + e.payload.length, 0);
          if (chunk.length > 1) expect(bytes).toBeLessThanOrEqual(10_000);
        }
      }),
    );
  });
});
