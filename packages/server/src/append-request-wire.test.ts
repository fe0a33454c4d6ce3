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
import {
  answersArbitraryBytesAsConnect,
  BATCH_REQUEST_FIELDS,
  decodesAsProtobufEs,
  enveloped,
} from "./test-support/protobuf-es-parity.js";

const request = fc.record({
  batchId: fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 20n }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })),
  ...BATCH_REQUEST_FIELDS,
});

test("decodes whatever protobuf-es encodes exactly as protobuf-es does", () => {
  decodesAsProtobufEs(AppendRequestSchema, request, decodeAppendRequest);
});

test("arbitrary bytes: the same fields as protobuf-es, or the same error the Connect path gives", () => {
  answersArbitraryBytesAsConnect(AppendRequestSchema, decodeAppendRequest);
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
        const result = { firstSequence, lastSequence, timestampMs, duplicate };
        expect(encodeAppendAckEnvelope(batchId, result)).toEqual(enveloped(body));
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
