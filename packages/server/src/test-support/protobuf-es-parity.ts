import { create, type DescMessage, fromBinary, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import fc from "fast-check";
import { expect } from "vitest";
import { binaryWireProblem } from "../binary-wire-problem.js";

// Properties the hand-written codecs of the raw HTTP/2 paths (publish-wire.ts, publish-batch-wire.ts,
// append-request-wire.ts) must keep: they decode and encode exactly as protobuf-es and the Connect
// path do.

/**
 * Fields without protobuf-es's $typeName, at the top and in `events` (where the fallback has them),
 * and without the hand-written decoders' `payloadIsJson`, after checking it: it must say exactly
 * whether JSON.parse accepts the payload, since a true one lets validation skip JSON.parse.
 */
export function plainFields(message: object): Record<string, unknown> {
  const { $typeName: _, ...fields } = withCheckedJsonFlag(message as Record<string, unknown>);
  if (Array.isArray(fields.events)) {
    fields.events = fields.events.map((event: Record<string, unknown>) => {
      const { $typeName: __, ...rest } = withCheckedJsonFlag(event);
      return rest;
    });
  }
  return fields;
}

function withCheckedJsonFlag(fields: Record<string, unknown>): Record<string, unknown> {
  if (!("payloadIsJson" in fields)) return fields;
  const { payloadIsJson, ...rest } = fields;
  expect(payloadIsJson, `payloadIsJson for ${JSON.stringify(rest.payload)}`).toBe(
    parses(rest.payload as string),
  );
  return rest;
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Arbitraries for an EventInput's fields (Publish has them at its top level), with out-of-range origins and arbitrary text. */
export const EVENT_INPUT_FIELDS = {
  origin: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: -3, max: 2 ** 31 - 1 })),
  source: fc.string({ unit: "binary" }),
  eventType: fc.string(),
  payload: fc.oneof(fc.json(), fc.string({ unit: "binary" })),
};

export const eventInput = fc.record(EVENT_INPUT_FIELDS);

/** Arbitraries for the fields PublishBatchRequest and AppendRequest share. */
export const BATCH_REQUEST_FIELDS = {
  axonId: fc.string({ unit: "grapheme" }),
  events: fc.array(eventInput, { maxLength: 5 }),
  expectedHead: fc.option(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { nil: undefined }),
  idempotencyKey: fc.string(),
};

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
