import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { PublishRequestSchema, PublishResponseSchema } from "@openaxon/protocol";
import fc from "fast-check";
import { expect, test } from "vitest";
import { binaryWireProblem } from "./binary-wire-problem.js";
import { decodePublishRequest, encodePublishResponseEnvelope } from "./publish-wire.js";

const withoutType = <T extends { $typeName: string }>({ $typeName: _, ...rest }: T) => rest;

const request = fc.record({
  axonId: fc.string({ unit: "grapheme" }),
  origin: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: -3, max: 2 ** 31 - 1 })),
  source: fc.string({ unit: "binary" }),
  eventType: fc.string(),
  payload: fc.oneof(fc.json(), fc.string({ unit: "binary" })),
  idempotencyKey: fc.string(),
  expectedHead: fc.option(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { nil: undefined }),
});

test("decodes whatever protobuf-es encodes exactly as protobuf-es does", () => {
  fc.assert(
    fc.property(request, (fields) => {
      const bytes = toBinary(PublishRequestSchema, create(PublishRequestSchema, fields));
      expect(decodePublishRequest(bytes)).toEqual(withoutType(fromBinary(PublishRequestSchema, bytes)));
    }),
    { numRuns: 500 },
  );
});

test("arbitrary bytes: the same fields as protobuf-es, or the same error the Connect path gives", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const problem = binaryWireProblem(bytes, PublishRequestSchema);
      const expected =
        problem === undefined
          ? withoutType(fromBinary(PublishRequestSchema, bytes))
          : `[invalid_argument] ${problem}`;
      let actual: unknown;
      try {
        actual = decodePublishRequest(bytes);
      } catch (e) {
        actual = (e as Error).message;
      }
      expect(actual).toEqual(expected);
    }),
    { numRuns: 2000 },
  );
});

test("a BOM-led string decodes as protobuf-es decodes it; invalid UTF-8 is INVALID_ARGUMENT, as in Connect", () => {
  const bom = Uint8Array.from([0x0a, 4, 0xef, 0xbb, 0xbf, 0x61]);
  expect(decodePublishRequest(bom)).toEqual(withoutType(fromBinary(PublishRequestSchema, bom)));
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
        const prefix = Buffer.alloc(5);
        prefix.writeUInt32BE(body.length, 1);
        expect(encodePublishResponseEnvelope(sequence, timestampMs, duplicate)).toEqual(
          Buffer.concat([prefix, body]),
        );
      },
    ),
  );
});
