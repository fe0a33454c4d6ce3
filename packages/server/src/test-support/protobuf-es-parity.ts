import { create, type DescMessage, fromBinary, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import fc from "fast-check";
import { expect } from "vitest";
import { binaryWireProblem } from "../binary-wire-problem.js";

// Properties the hand-written codecs of the raw HTTP/2 paths (publish-wire.ts, publish-batch-wire.ts,
// append-request-wire.ts) must keep: they decode and encode exactly as protobuf-es and the Connect
// path do.

/** Fields without protobuf-es's $typeName, at the top and in `events` (where the fallback has them). */
export function plainFields(message: object): Record<string, unknown> {
  const { $typeName: _, ...fields } = message as Record<string, unknown>;
  if (Array.isArray(fields.events)) {
    fields.events = fields.events.map((event: Record<string, unknown>) => {
      const { $typeName: __, ...rest } = event;
      return rest;
    });
  }
  return fields;
}

/** Arbitraries for an EventInput's fields (Publish has them at its top level), with out-of-range origins and arbitrary text. */
export const EVENT_INPUT_FIELDS = {
  origin: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: -3, max: 2 ** 31 - 1 })),
  source: fc.string({ unit: "binary" }),
  eventType: fc.string(),
  payload: fc.oneof(fc.json(), fc.string({ unit: "binary" })),
};

export const eventInput = fc.record(EVENT_INPUT_FIELDS);

/** `decode` gives protobuf-es's fields for whatever protobuf-es encodes from `requests`. */
export function decodesAsProtobufEs<Desc extends DescMessage>(
  schema: Desc,
  requests: fc.Arbitrary<MessageInitShape<Desc>>,
  decode: (bytes: Uint8Array) => object,
): void {
  fc.assert(
    fc.property(requests, (fields) => {
      const bytes = toBinary(schema, create(schema, fields));
      expect(plainFields(decode(bytes))).toEqual(plainFields(fromBinary(schema, bytes)));
    }),
    { numRuns: 500 },
  );
}

/** On arbitrary bytes, `decode` gives protobuf-es's fields or the Connect path's INVALID_ARGUMENT. */
export function answersArbitraryBytesAsConnect(
  schema: DescMessage,
  decode: (bytes: Uint8Array) => object,
): void {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const problem = binaryWireProblem(bytes, schema);
      const expected =
        problem === undefined ? plainFields(fromBinary(schema, bytes)) : `[invalid_argument] ${problem}`;
      let actual: unknown;
      try {
        actual = plainFields(decode(bytes));
      } catch (e) {
        actual = (e as Error).message;
      }
      expect(actual).toEqual(expected);
    }),
    { numRuns: 2000 },
  );
}

/** `message` in a gRPC envelope (flags 0), as Connect writes a response. */
export function enveloped(message: Uint8Array): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}
