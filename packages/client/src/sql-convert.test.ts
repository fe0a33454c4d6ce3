import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { SqlValueSchema } from "@openaxon/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sqlParamToWire, sqlValueFromWire } from "./sql-convert.js";

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

describe("SQL values in the SDK", () => {
  it("come back as sent: numbers stay numbers, integers beyond 2^53 stay exact bigints", () => {
    const value = fc.oneof(
      fc.constant(null),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      fc.double({ noNaN: true }),
      fc.string(),
      fc.uint8Array(),
    );
    fc.assert(
      fc.property(value, (sent) => {
        const wire = fromBinary(SqlValueSchema, toBinary(SqlValueSchema, sqlParamToWire(sent, 0)));
        const back = sqlValueFromWire(wire);
        // A bigint within ±2^53 is returned as the equal number; everything else identically.
        const expected = typeof sent === "bigint" && sent >= -SAFE && sent <= SAFE ? Number(sent) : sent;
        expect(back).toStrictEqual(expected); // Object.is for numbers: -0 stays -0
      }),
    );
  });

  it("binds safe integers as INTEGER, -0 and fractions as REAL, booleans as 1/0", () => {
    expect(sqlParamToWire(5, 0).kind).toEqual({ case: "integer", value: 5n });
    expect(sqlParamToWire(-0, 0).kind.case).toBe("real");
    expect(sqlParamToWire(2 ** 60, 0).kind).toEqual({ case: "real", value: 2 ** 60 });
    expect(sqlParamToWire(true, 0).kind).toEqual({ case: "integer", value: 1n });
    expect(sqlParamToWire(undefined, 0).kind.case).toBe("null");
  });

  it("refuses NaN, out-of-range bigints and other types with the parameter's position", () => {
    expect(() => sqlParamToWire(Number.NaN, 1)).toThrow("SQL parameter 2 is NaN");
    expect(() => sqlParamToWire(2n ** 63n, 0)).toThrow("outside the 64-bit integer range");
    expect(() => sqlParamToWire({} as never, 2)).toThrow("SQL parameter 3 must be");
  });
});
