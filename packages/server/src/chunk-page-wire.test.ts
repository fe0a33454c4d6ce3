import {
  type ChunkPage,
  type ChunkSlice,
  chunkPageEvents,
  encodeChunk,
  type Origin,
  type StoredEvent,
} from "@openaxon/store";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeChunkPage } from "./chunk-page-wire.js";
import { encodeEventBatch } from "./event-batch-wire.js";
import { expectSameBytes, int64, text, viaProtobufEs } from "./test-support/event-wire-fixtures.js";

const storedText = fc.oneof(fc.constantFrom("cli", "user.message", "é", "😀".repeat(50)), text);

/** One stored chunk's events, sequences from `first` (timestamps shared, or each its own: version 4). */
const chunkEvents = (axonId: string, first: number, count: number) =>
  fc
    .record({
      sharedTime: fc.boolean(),
      times: fc.array(int64, { minLength: 6, maxLength: 6 }),
      fields: fc.array(
        fc.record({
          origin: fc.constantFrom<Origin>(0, 1, 2, 3, 4),
          source: storedText,
          eventType: storedText,
          payload: text,
        }),
        { minLength: 6, maxLength: 6 },
      ),
    })
    .map(({ sharedTime, times, fields }) =>
      fields.slice(0, count).map(
        (f, i): StoredEvent => ({
          ...f,
          axonId,
          sequence: first + i,
          timestampMs: sharedTime ? times[0]! : times[i]!,
        }),
      ),
    );

/**
 * A page as the store reads it: consecutive chunks, the first entered at any event and the last
 * left at any event, the ones between whole.
 */
const page: fc.Arbitrary<ChunkPage> = fc
  .record({
    axonId: fc.oneof(fc.constant("axn_01JD2X3Y4Z5A6B7C8D9E0F1G2H"), text),
    first: fc.oneof(
      fc.constantFrom(1, 127, 128, 2 ** 28, 2 ** 53 - 100),
      fc.integer({ min: 1, max: 2 ** 40 }),
    ),
    chunks: fc.integer({ min: 1, max: 4 }),
    skip: fc.nat(5),
    cut: fc.nat(5),
  })
  .chain(({ axonId, first, chunks, skip, cut }) =>
    fc.array(fc.integer({ min: 1, max: 6 }), { minLength: chunks, maxLength: chunks }).chain((sizes) => {
      const starts = sizes.map((_, i) => first + sizes.slice(0, i).reduce((a, b) => a + b, 0));
      return fc.tuple(...starts.map((start, i) => chunkEvents(axonId, start, sizes[i]!))).map((runs) => {
        const slices: ChunkSlice[] = runs.map((events) => ({
          chunk: encodeChunk(events),
          from: events[0]!.sequence,
          to: events.at(-1)!.sequence,
        }));
        const head = slices[0]!;
        slices[0] = { ...head, from: Math.min(head.to, head.from + skip) };
        const tail = slices.at(-1)!;
        slices[slices.length - 1] = { ...tail, to: Math.max(tail.from, tail.to - cut) };
        const count = slices.reduce((n, s) => n + s.to - s.from + 1, 0);
        return { axonId, slices, count, lastSequence: slices.at(-1)!.to, bytes: 0 };
      });
    }),
  );

describe("transcoding stored chunks to Event entries", () => {
  it("writes exactly the bytes protobuf-es writes for the same events decoded, and cuts between the same events", () => {
    fc.assert(
      fc.property(page, (p) => {
        const events = chunkPageEvents(p);
        expect(events).toHaveLength(p.count);
        const ends: number[] = [];
        const transcoded = encodeChunkPage(p, ends);
        expectSameBytes(transcoded, viaProtobufEs(events));
        const expectedEnds: number[] = [];
        encodeEventBatch(events, expectedEnds);
        expect(ends).toEqual(expectedEnds);
      }),
      { numRuns: 500 },
    );
  });

  it("transcodes an empty page to nothing", () => {
    expect(
      encodeChunkPage({ axonId: "axn_x", slices: [], count: 0, lastSequence: 0, bytes: 0 }),
    ).toHaveLength(0);
  });
});
