import { create, toBinary } from "@bufbuild/protobuf";
import { PublishBatchRequestSchema, PublishBatchResponseSchema } from "@openaxon/protocol";
import fc from "fast-check";
import { expect, test } from "vitest";
import { decodePublishBatchRequest, encodePublishBatchResponseEnvelope } from "./publish-batch-wire.js";
import {
  answersArbitraryBytesAsConnect,
  BATCH_REQUEST_FIELDS,
  decodesAsProtobufEs,
} from "./test-support/protobuf-es-parity.js";

const request = fc.record(BATCH_REQUEST_FIELDS);

test("decodes whatever protobuf-es encodes exactly as protobuf-es does", () => {
  decodesAsProtobufEs(PublishBatchRequestSchema, request, decodePublishBatchRequest);
});

test("arbitrary bytes: the same fields as protobuf-es, or the same error the Connect path gives", () => {
  answersArbitraryBytesAsConnect(PublishBatchRequestSchema, decodePublishBatchRequest);
});

test("the response envelope is byte-identical to protobuf-es's", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      fc.integer({ min: -(2 ** 53) + 1, max: Number.MAX_SAFE_INTEGER }),
      fc.boolean(),
      (firstSequence, lastSequence, timestampMs, duplicate) => {
        const body = toBinary(
          PublishBatchResponseSchema,
          create(PublishBatchResponseSchema, {
            firstSequence: BigInt(firstSequence),
            lastSequence: BigInt(lastSequence),
            timestampMs: BigInt(timestampMs),
            duplicate,
          }),
        );
        const prefix = Buffer.alloc(5);
        prefix.writeUInt32BE(body.length, 1);
        expect(
          encodePublishBatchResponseEnvelope(firstSequence, lastSequence, timestampMs, duplicate),
        ).toEqual(Buffer.concat([prefix, body]));
      },
    ),
    { numRuns: 1000 },
  );
});
