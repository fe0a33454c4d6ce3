import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { PublishBatchRequestSchema, PublishBatchResponseSchema } from "@openaxon/protocol";
import fc from "fast-check";
import { expect, test } from "vitest";
import { binaryWireProblem } from "./binary-wire-problem.js";
import { decodePublishBatchRequest, encodePublishBatchResponseEnvelope } from "./publish-batch-wire.js";

const withoutType = <T extends { $typeName: string }>({ $typeName: _, ...rest }: T) => rest;
/** Fields without protobuf-es's $typeName (which the fallback's events carry, harmlessly). */
const plain = ({ events, ...rest }: { events: readonly object[] } & Record<string, unknown>) => ({
  ...withoutType(rest as { $typeName: string }),
  events: events.map((e) => withoutType(e as { $typeName: string })),
});
const decodedByProtobufEs = (bytes: Uint8Array) => plain(fromBinary(PublishBatchRequestSchema, bytes));
const decoded = (bytes: Uint8Array) => plain(decodePublishBatchRequest(bytes));

const event = fc.record({
  origin: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: -3, max: 2 ** 31 - 1 })),
  source: fc.string({ unit: "binary" }),
  eventType: fc.string(),
  payload: fc.oneof(fc.json(), fc.string({ unit: "binary" })),
});
const request = fc.record({
  axonId: fc.string({ unit: "grapheme" }),
  events: fc.array(event, { maxLength: 5 }),
  expectedHead: fc.option(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { nil: undefined }),
  idempotencyKey: fc.string(),
});

test("decodes whatever protobuf-es encodes exactly as protobuf-es does", () => {
  fc.assert(
    fc.property(request, (fields) => {
      const bytes = toBinary(PublishBatchRequestSchema, create(PublishBatchRequestSchema, fields));
      expect(decoded(bytes)).toEqual(decodedByProtobufEs(bytes));
    }),
    { numRuns: 500 },
  );
});

test("arbitrary bytes: the same fields as protobuf-es, or the same error the Connect path gives", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const problem = binaryWireProblem(bytes, PublishBatchRequestSchema);
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
