import { create, toBinary } from "@bufbuild/protobuf";
import { ConnectError } from "@connectrpc/connect";
import {
  CaughtUpSchema,
  EventBatchSchema,
  type Event as EventMessage,
  EventSchema,
  FellBehindSchema,
} from "@openaxon/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toEvent } from "./convert.js";
import { decodeEventBatch, decodeFirstUint64, decodeUint64Fields } from "./event-batch-decoder.js";

const plain = (events: readonly object[]) => events.map((e) => ({ ...e }));

const anyEvent = fc.record({
  sequence: fc.bigInt({ min: 0n, max: BigInt(Number.MAX_SAFE_INTEGER) }),
  axonId: fc.string(),
  timestampMs: fc.bigInt({ min: BigInt(Number.MIN_SAFE_INTEGER), max: BigInt(Number.MAX_SAFE_INTEGER) }),
  // Unknown enum values too (a newer server): both decoders call them "unspecified".
  origin: fc.oneof(fc.constantFrom(0, 1, 2, 3, 4), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
  source: fc.oneof(fc.constantFrom("bench", "claude"), fc.string()),
  eventType: fc.oneof(fc.constantFrom("user.message", "turn.started"), fc.string()),
  payload: fc.oneof(fc.json(), fc.string({ unit: "binary" }), fc.constant("")),
});

const batchOf = (events: readonly Omit<EventMessage, "$typeName">[]) =>
  toBinary(EventBatchSchema, create(EventBatchSchema, { events: events.map((e) => create(EventSchema, e)) }));

describe("decodeEventBatch", () => {
  it("reads exactly what protobuf-es and toEvent read, for any events", () => {
    fc.assert(
      fc.property(fc.array(anyEvent, { maxLength: 20 }), (events) => {
        const bytes = batchOf(events);
        const expected = events.map((e) => toEvent(create(EventSchema, e)));
        expect(plain(decodeEventBatch(bytes))).toEqual(plain(expected));
      }),
    );
  });

  it("skips fields it does not know, of every wire type, in events and in the batch", () => {
    fc.assert(
      fc.property(anyEvent, fc.integer({ min: 8, max: 536_870_911 }), (event, field) => {
        const known = toBinary(EventSchema, create(EventSchema, event));
        const unknown = [
          ...tag(field, 0),
          ...[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
          ...tag(field, 1),
          ...new Array(8).fill(7),
          ...tag(field, 2),
          3,
          1,
          2,
          3,
          ...tag(field, 5),
          ...new Array(4).fill(9),
        ];
        const inner = Uint8Array.from([...unknown, ...known, ...unknown]);
        const batch = Uint8Array.from([...tag(2, 2), 1, 0, ...tag(1, 2), ...varint(inner.length), ...inner]);
        const [decoded] = decodeEventBatch(batch);
        expect({ ...decoded }).toEqual({ ...toEvent(create(EventSchema, event)) });
      }),
    );
  });

  it("refuses sequences a number cannot hold, as toEvent does", () => {
    const bytes = batchOf([{ ...base, sequence: BigInt(Number.MAX_SAFE_INTEGER) + 1n }]);
    expect(() => decodeEventBatch(bytes)).toThrow(RangeError);
    expect(() => decodeEventBatch(bytes)).toThrow(/sequence 9007199254740992/);
  });

  it("refuses a truncated or malformed batch with a ConnectError, never a partial event", () => {
    const bytes = batchOf([base, { ...base, sequence: 2n }]);
    for (let cut = 1; cut < bytes.length; cut++) {
      const truncated = bytes.subarray(0, cut);
      let outcome: unknown;
      try {
        outcome = decodeEventBatch(truncated);
      } catch (error) {
        outcome = error;
      }
      // A cut between the two events is a whole batch of one; anywhere else is an error.
      if (Array.isArray(outcome)) expect(outcome.map((e) => e.sequence)).toEqual([1]);
      else expect(outcome).toBeInstanceOf(ConnectError);
    }
    // A string field sent as a varint.
    expect(() => decodeEventBatch(Uint8Array.from([...tag(1, 2), 2, ...tag(5, 0), 1]))).toThrow(
      /field 5 has wire type 0/,
    );
  });
});

describe("decodeUint64Fields", () => {
  it("reads CaughtUp and FellBehind like protobuf-es, zero when absent", () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), (last, head) => {
        const caughtUp = toBinary(CaughtUpSchema, create(CaughtUpSchema, { headSequence: BigInt(head) }));
        expect(decodeFirstUint64(caughtUp, "head_sequence")).toBe(head);
        const fell = create(FellBehindSchema, { lastSequence: BigInt(last), headSequence: BigInt(head) });
        expect(
          decodeUint64Fields(toBinary(FellBehindSchema, fell), ["last_sequence", "head_sequence"]),
        ).toEqual([last, head]);
      }),
    );
  });
});

const base = {
  sequence: 1n,
  axonId: "axn_1",
  timestampMs: 1_700_000_000_000n,
  origin: 1,
  source: "s",
  eventType: "t",
  payload: "{}",
};

function tag(field: number, wireType: number): number[] {
  return varint(field * 8 + wireType);
}

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}
