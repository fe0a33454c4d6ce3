import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { PublishRequestSchema, PublishResponseSchema } from "@openaxon/protocol";
import fc from "fast-check";
import { expect, test } from "vitest";
import { decodePublishRequest, encodePublishResponseEnvelope } from "./publish-wire.js";
import {
  answersArbitraryBytesAsConnect,
  decodesAsProtobufEs,
  EVENT_INPUT_FIELDS,
  enveloped,
  plainFields,
} from "./test-support/protobuf-es-parity.js";

const request = fc.record({
  axonId: fc.string({ unit: "grapheme" }),
  ...EVENT_INPUT_FIELDS,
  idempotencyKey: fc.string(),
  expectedHead: fc.option(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { nil: undefined }),
});

test("decodes whatever protobuf-es encodes exactly as protobuf-es does", () => {
  decodesAsProtobufEs(PublishRequestSchema, request, decodePublishRequest);
});

test("arbitrary bytes: the same fields as protobuf-es, or the same error the Connect path gives", () => {
  answersArbitraryBytesAsConnect(PublishRequestSchema, decodePublishRequest);
});

test("a BOM-led string decodes as protobuf-es decodes it; invalid UTF-8 is INVALID_ARGUMENT, as in Connect", () => {
  const bom = Uint8Array.from([0x0a, 4, 0xef, 0xbb, 0xbf, 0x61]);
  expect(decodePublishRequest(bom)).toEqual(plainFields(fromBinary(PublishRequestSchema, bom)));
  expect(decodePublishRequest(bom).axonId).toBe("a");
  const invalid = Uint8Array.from([0x1a, 2, 0xc3, 0x28]);
  expect(() => fromBinary(PublishRequestSchema, invalid)).toThrow();
  expect(() => decodePublishRequest(invalid)).toThrow(
    /^\[invalid_argument\] .*source: string is not valid UTF-8/,
  );
});

test("the response envelope is byte-identical to protobuf-es's", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      fc.integer({ min: -(2 ** 53) + 1, max: Number.MAX_SAFE_INTEGER }),
      fc.boolean(),
      (sequence, timestampMs, duplicate) => {
        const body = toBinary(
          PublishResponseSchema,
          create(PublishResponseSchema, {
            sequence: BigInt(sequence),
            timestampMs: BigInt(timestampMs),
            duplicate,
          }),
        );
        expect(encodePublishResponseEnvelope(sequence, timestampMs, duplicate)).toEqual(enveloped(body));
      },
    ),
  );
});
