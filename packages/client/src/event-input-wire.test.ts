import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { AppendRequestSchema } from "@openaxon/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type EventInputFields,
  encodable,
  encodeEvents,
  preEncodedAppendRequest,
} from "./event-input-wire.js";

const anyEvent = fc.record({
  origin: fc.oneof(fc.constantFrom(undefined, 0, 1, 2, 3, 4), fc.integer({ min: 0, max: 2 ** 31 - 1 })),
  source: fc.oneof(fc.constantFrom("bench", "client", ""), fc.string({ unit: "grapheme" })),
  eventType: fc.oneof(fc.constantFrom("user.message", "bench.peer"), fc.string()),
  // Lone surrogates too: both encoders write U+FFFD for them (TextEncoder).
  payload: fc.oneof(fc.json(), fc.string({ unit: "binary", maxLength: 3000 }), fc.constant("")),
});

/** What protobuf-es writes for the same events: one `events` entry (field 3) per event. */
const viaProtobufEs = (events: readonly EventInputFields[]): Uint8Array =>
  toBinary(AppendRequestSchema, create(AppendRequestSchema, { events: [...events] }));

describe("encodeEvents", () => {
  it("writes byte for byte what toBinary writes for AppendRequest.events", () => {
    fc.assert(
      fc.property(fc.array(anyEvent, { maxLength: 20 }), (events) => {
        expect(Buffer.from(encodeEvents(events))).toEqual(Buffer.from(viaProtobufEs(events)));
      }),
    );
  });

  it("encodes strings whose UTF-8 is far shorter or longer than reserved", () => {
    // A long ASCII payload reserves a 3-byte length for 3 bytes per unit; four-byte characters fill it.
    for (const payload of ["x".repeat(50_000), "😀".repeat(20_000), `{"a":"${"é".repeat(70_000)}"}`]) {
      const events = [{ origin: 1, source: "s", eventType: "t", payload }];
      expect(Buffer.from(encodeEvents(events)).equals(viaProtobufEs(events))).toBe(true);
    }
  });

  it("refuses to hand-encode what it cannot write exactly, so the producer falls back", () => {
    expect(encodable({ origin: -1, source: "", eventType: "", payload: "" })).toBe(false);
    expect(encodable({ origin: 1.5, source: "", eventType: "", payload: "" })).toBe(false);
    expect(encodable({ source: "", eventType: "", payload: "" })).toBe(true);
    // A JS caller may leave a field out or pass a number: protobuf-es answers those, not the encoder.
    expect(encodable({ source: "", payload: "" } as unknown as EventInputFields)).toBe(false);
    expect(encodable({ source: 7, eventType: "", payload: "" } as unknown as EventInputFields)).toBe(false);
  });
});

describe("preEncodedAppendRequest", () => {
  it("reads back as the request protobuf-es would have sent", () => {
    fc.assert(
      fc.property(
        fc.array(anyEvent, { maxLength: 10 }),
        fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }),
        fc.string(),
        fc.option(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { nil: undefined }),
        fc.string(),
        (events, batchId, axonId, expectedHead, idempotencyKey) => {
          const fields = { batchId, axonId, events, expectedHead, idempotencyKey };
          const sent = toBinary(AppendRequestSchema, preEncodedAppendRequest(fields));
          const expected = create(AppendRequestSchema, fields);
          expect(fromBinary(AppendRequestSchema, sent)).toEqual(
            fromBinary(AppendRequestSchema, toBinary(AppendRequestSchema, expected)),
          );
        },
      ),
    );
  });
});
