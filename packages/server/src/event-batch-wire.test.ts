import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { SubscribeResponseSchema } from "@openaxon/protocol";
import type { Origin, StoredEvent } from "@openaxon/store";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeEventBatch, preEncodedEventBatch } from "./event-batch-wire.js";
import { expectSameBytes, int64, text, uint64, viaProtobufEs } from "./test-support/event-wire-fixtures.js";
import { eventToProto } from "./to-proto.js";

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
