import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { AppendRequestSchema, AppendResponseSchema } from "@openaxon/protocol";
import fc from "fast-check";
import { expect, test } from "vitest";
import {
  decodeAppendRequest,
  encodeAppendAckEnvelope,
  encodeAppendResponseEnvelope,
} from "./append-request-wire.js";
import { binaryWireProblem } from "./binary-wire-problem.js";

const withoutType = <T extends { $typeName: string }>({ $typeName: _, ...rest }: T) => rest;
/** Fields without protobuf-es's $typeName (which the fallback's events carry, harmlessly). */
const plain = ({ events, ...rest }: { events: readonly object[] } & Record<string, unknown>) => ({
  ...withoutType(rest as { $typeName: string }),
  events: events.map((e) => withoutType(e as { $typeName: string })),
});
const decodedByProtobufEs = (bytes: Uint8Array) => plain(fromBinary(AppendRequestSchema, bytes));
const decoded = (bytes: Uint8Array) => plain(decodeAppendRequest(bytes));

const event = fc.record({
  origin: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: -3, max: 2 ** 31 - 1 })),
  source: fc.string({ unit: "binary" }),
  eventType: fc.string(),
  payload: fc.oneof(fc.json(), fc.string({ unit: "binary" })),
});
const request = fc.record({
  batchId: fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 20n }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })),
  axonId: fc.string({ unit: "grapheme" }),
  events: fc.array(event, { maxLength: 5 }),
  expectedHead: fc.option(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { nil: undefined }),
  idempotencyKey: fc.string(),
});

test("decodes whatever protobuf-es encodes exactly as protobuf-es does", () => {
  fc.assert(
    fc.property(request, (fields) => {
      const bytes = toBinary(AppendRequestSchema, create(AppendRequestSchema, fields));
      expect(decoded(bytes)).toEqual(decodedByProtobufEs(bytes));
    }),
    { numRuns: 500 },
  );
});

test("arbitrary bytes: the same fields as protobuf-es, or the same error the Connect path gives", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const problem = binaryWireProblem(bytes, AppendRequestSchema);
      const expected = problem === undefined ? decodedByProtobufEs(bytes) : `[invalid_argument] ${problem}`;
      let actual: unknown;
      try {
        actual = decoded(bytes);
      } catch (e) {
        actual = (e as Error).message;
      }
      expect(actual).toEqual(expected);
    }),
    { numRuns: 2000 },
  );
});

test("an ack envelope is byte-identical to protobuf-es's AppendResponse, whatever the batch id", () => {
  fc.assert(
    fc.property(
      fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 53n }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })),
      fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      fc.nat({ max: 1000 }),
      fc.integer({ min: -(2 ** 53) + 1, max: Number.MAX_SAFE_INTEGER }),
      fc.boolean(),
      (batchId, firstSequence, extra, timestampMs, duplicate) => {
        const lastSequence = Math.min(firstSequence + extra, Number.MAX_SAFE_INTEGER);
        const body = toBinary(
          AppendResponseSchema,
          create(AppendResponseSchema, {
            batchId,
            result: {
              case: "ack",
              value: {
                firstSequence: BigInt(firstSequence),
                lastSequence: BigInt(lastSequence),
                timestampMs: BigInt(timestampMs),
                duplicate,
              },
            },
          }),
        );
        const prefix = Buffer.alloc(5);
        prefix.writeUInt32BE(body.length, 1);
        const result = { firstSequence, lastSequence, timestampMs, duplicate };
        expect(encodeAppendAckEnvelope(batchId, result)).toEqual(Buffer.concat([prefix, body]));
      },
    ),
    { numRuns: 1000 },
  );
});

test("an error response envelope holds the message protobuf-es decodes back", () => {
  const envelope = encodeAppendResponseEnvelope({
    batchId: 7n,
    result: { case: "error", value: { code: Code.NotFound, message: "axon axn_x not found" } },
  });
  expect(envelope[0]).toBe(0);
  expect(envelope.readUInt32BE(1)).toBe(envelope.length - 5);
  const decoded = fromBinary(AppendResponseSchema, envelope.subarray(5));
  expect(decoded.batchId).toBe(7n);
  expect(decoded.result).toMatchObject({
    case: "error",
    value: { code: Code.NotFound, message: "axon axn_x not found" },
  });
});
