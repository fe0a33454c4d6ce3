import { create, toBinary } from "@bufbuild/protobuf";
import { EventBatchSchema } from "@openaxon/protocol";
import type { StoredEvent } from "@openaxon/store";
import fc from "fast-check";
import { expect } from "vitest";
import { eventToProto } from "../to-proto.js";

// Arbitraries and checks shared by the tests of the hand-written event encoders.

// Strings that exercise every UTF-8 width, lone surrogates (both encoders write U+FFFD) and lengths
// whose varint needs one, two or three bytes.
const codeUnit = fc.oneof(
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom("a", "é", "€", "😀", "\u0000"),
);
export const text = fc.oneof(
  { weight: 8, arbitrary: fc.string({ unit: codeUnit, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constant("") },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom("x", "é", "😀"), fc.integer({ min: 40, max: 5_000 }))
      .map(([c, n]) => c.repeat(n)),
  },
);
export const int64 = fc.oneof(
  fc.constantFrom(0, 1, 127, 128, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, -1, -(2 ** 32), -(2 ** 53 - 1)),
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  fc.integer({ min: -1000, max: 2 ** 42 }),
);
export const uint64 = fc.oneof(
  fc.constantFrom(0, 1, 127, 128, 16_383, 16_384, 2 ** 28, 2 ** 35, 2 ** 53 - 1),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  fc.nat(1_000_000),
);
/** Byte equality; on a mismatch, shows where the encodings part. */
export function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  const a = Buffer.from(actual);
  const b = Buffer.from(expected);
  if (a.equals(b)) return;
  let at = 0;
  while (at < a.length && a[at] === b[at]) at++;
  const window = (x: Buffer) => x.subarray(Math.max(0, at - 16), at + 16).toString("hex");
  expect({ length: a.length, at, bytes: window(a) }).toEqual({ length: b.length, at, bytes: window(b) });
}

export const viaProtobufEs = (events: readonly StoredEvent[]) =>
  toBinary(EventBatchSchema, create(EventBatchSchema, { events: events.map(eventToProto) }));
