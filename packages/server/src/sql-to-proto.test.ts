import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { SqlValueSchema } from "@openaxon/protocol";
import type { SqlValue } from "@openaxon/sql";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sqlValueFromProto, sqlValueToProto } from "./sql-to-proto.js";

/** Every value SQLite can hand back: 64-bit integers, doubles (NaN aside), text, bytes, NULL. */
const sqlValue: fc.Arbitrary<SqlValue> = fc.oneof(
  fc.constant(null),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.double({ noNaN: true }),
  fc.string({ unit: "binary" }),
  fc.uint8Array(),
);

describe("SQL values on the wire", () => {
  it("round-trip exactly through protobuf binary (integers never through a double, -0 kept)", () => {
    fc.assert(
      fc.property(sqlValue, (value) => {
        const wire = toBinary(SqlValueSchema, sqlValueToProto(value));
        const back = sqlValueFromProto(fromBinary(SqlValueSchema, wire), 0);
        expect(back).toStrictEqual(value);
        if (typeof value === "number") expect(Object.is(back, value)).toBe(true);
      }),
    );
  });

  it("refuses a parameter with no value set", () => {
    expect(() => sqlValueFromProto(fromBinary(SqlValueSchema, new Uint8Array()), 2)).toThrow(
      /parameter 3 has no value/,
    );
  });
});
