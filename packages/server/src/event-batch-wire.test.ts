import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { EventBatchSchema, SubscribeResponseSchema } from "@openaxon/protocol";
import type { Origin, StoredEvent } from "@openaxon/store";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeEventBatch, preEncodedEventBatch } from "./event-batch-wire.js";
import { eventToProto } from "./to-proto.js";

// Strings that exercise every UTF-8 width, lone surrogates (both encoders write U+FFFD) and lengths
// whose varint needs one, two or three bytes.
const codeUnit = fc.oneof(
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom("a", "é", "€", "😀", "\u0000"),
);
const text = fc.oneof(
  { weight: 8, arbitrary: fc.string({ unit: codeUnit, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constant("") },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom("x", "é", "😀"), fc.integer({ min: 40, max: 5_000 }))
      .map(([c, n]) => c.repeat(n)),
  },
);
const int64 = fc.oneof(
  fc.constantFrom(0, 1, 127, 128, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, -1, -(2 ** 32), -(2 ** 53 - 1)),
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  fc.integer({ min: -1000, max: 2 ** 42 }),
);
const uint64 = fc.oneof(
  fc.constantFrom(0, 1, 127, 128, 16_383, 16_384, 2 ** 28, 2 ** 35, 2 ** 53 - 1),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  fc.nat(1_000_000),
);
// Axon id, source and event type usually repeat from one event to the next; the encoder reuses
// their bytes then, so draw them from small sets as often as not.
const oftenRepeated = (common: string) =>
  fc.oneof(fc.constantFrom(common, "é", "x".repeat(100), "😀".repeat(50)), text);
const storedEvent: fc.Arbitrary<StoredEvent> = fc.record({
  axonId: oftenRepeated("axn_01JD2X3Y4Z5A6B7C8D9E0F1G2H"),
  sequence: uint64,
  timestampMs: int64,
  origin: fc.constantFrom<Origin>(0, 1, 2, 3, 4),
  source: oftenRepeated("cli"),
  eventType: oftenRepeated("user.message"),
  payload: text,
});

/** Byte equality; on a mismatch, shows where the encodings part. */
function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  const a = Buffer.from(actual);
  const b = Buffer.from(expected);
  if (a.equals(b)) return;
  let at = 0;
  while (at < a.length && a[at] === b[at]) at++;
  const window = (x: Buffer) => x.subarray(Math.max(0, at - 16), at + 16).toString("hex");
  expect({ length: a.length, at, bytes: window(a) }).toEqual({ length: b.length, at, bytes: window(b) });
}

const viaProtobufEs = (events: readonly StoredEvent[]) =>
  toBinary(EventBatchSchema, create(EventBatchSchema, { events: events.map(eventToProto) }));

describe("the hand-written EventBatch encoder", () => {
  it("writes exactly the bytes protobuf-es writes, for any events", () => {
    fc.assert(
      fc.property(fc.array(storedEvent, { maxLength: 12 }), (events) => {
        expectSameBytes(encodeEventBatch(events), viaProtobufEs(events));
      }),
      { numRuns: 1000 },
    );
  });

  it("reaches clients as ordinary events inside a SubscribeResponse, identical to a real message", () => {
    fc.assert(
      fc.property(fc.array(storedEvent, { maxLength: 8 }), (events) => {
        const wire = toBinary(
          SubscribeResponseSchema,
          create(SubscribeResponseSchema, { kind: { case: "events", value: preEncodedEventBatch(events) } }),
        );
        const real = toBinary(
          SubscribeResponseSchema,
          create(SubscribeResponseSchema, {
            kind: { case: "events", value: { events: events.map(eventToProto) } },
          }),
        );
        expectSameBytes(wire, real);
        const decoded = fromBinary(SubscribeResponseSchema, wire);
        expect(decoded.kind.case).toBe("events");
        expect(decoded.kind.value).toEqual(fromBinary(SubscribeResponseSchema, real).kind.value);
      }),
      { numRuns: 200 },
    );
  });

  it("encodes a realistic replay page, and lengths needing three-byte varints, the same way", () => {
    const events = Array.from(
      { length: 2048 },
      (_, i): StoredEvent => ({
        axonId: "axn_01JD2X3Y4Z5A6B7C8D9E0F1G2H",
        sequence: 999_000 + i,
        timestampMs: 1_764_000_000_000 + (i >> 8),
        origin: ((i % 4) + 1) as Origin,
        source: "bench",
        eventType: "turn.message_chunk",
        payload: JSON.stringify({ turn_id: `t${i}`, text: "héllo wörld — 😀".repeat(i % 5) }),
      }),
    );
    events[7] = { ...events[7]!, payload: JSON.stringify({ text: "😀".repeat(70_000) }) };
    expectSameBytes(encodeEventBatch(events), viaProtobufEs(events));
  });
});
