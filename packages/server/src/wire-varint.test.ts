import { BinaryWriter } from "@bufbuild/protobuf/wire";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { signedVarintSize, varintSize, writeSignedVarint, writeVarint } from "./wire-varint.js";

const safeInteger = fc.oneof(
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  fc.constantFrom(0, -1, 127, 128, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, -(2 ** 32), 2 ** 53 - 1),
);

describe("varints", () => {
  it("match protobuf-es for every safe integer, signed (int64) or not (uint64)", () => {
    fc.assert(
      fc.property(safeInteger, (value) => {
        const buf = Buffer.alloc(10);
        if (value >= 0) {
          const end = writeVarint(buf, 0, value);
          expect(end).toBe(varintSize(value));
          expect(buf.subarray(0, end)).toEqual(Buffer.from(new BinaryWriter().uint64(value).finish()));
        }
        const end = writeSignedVarint(buf, 0, value);
        expect(end).toBe(signedVarintSize(value));
        expect(buf.subarray(0, end)).toEqual(Buffer.from(new BinaryWriter().int64(value).finish()));
      }),
      { numRuns: 2000 },
    );
  });
});
