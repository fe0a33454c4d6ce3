import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { NullValue } from "@bufbuild/protobuf/wkt";
import {
  type SqlQueryResponse,
  type SqlStatementSchema,
  SqlValueSchema,
  type SqlValue as WireSqlValue,
} from "@openaxon/protocol";
import type { SqlParam, SqlResult, SqlStatementInput, SqlValue } from "./sql-types.js";

const MIN_INT64 = -(2n ** 63n);
const MAX_INT64 = 2n ** 63n - 1n;

/**
 * A JavaScript parameter on the wire: bigints and safe integers as INTEGER (exact), other numbers
 * (and -0) as REAL, booleans as 1/0, null/undefined as NULL. NaN and out-of-range bigints throw.
 */
export function sqlParamToWire(value: SqlParam, index: number): WireSqlValue {
  const kind = ((): WireSqlValue["kind"] => {
    if (value === null || value === undefined) return { case: "null", value: NullValue.NULL_VALUE };
    if (typeof value === "boolean") return { case: "integer", value: value ? 1n : 0n };
    if (typeof value === "bigint") {
      if (value < MIN_INT64 || value > MAX_INT64) {
        throw new RangeError(`SQL parameter ${index + 1} is outside the 64-bit integer range`);
      }
      return { case: "integer", value };
    }
    if (typeof value === "number") {
      if (Number.isNaN(value))
        throw new RangeError(`SQL parameter ${index + 1} is NaN, which SQLite cannot store`);
      if (Number.isSafeInteger(value) && !Object.is(value, -0))
        return { case: "integer", value: BigInt(value) };
      return { case: "real", value };
    }
    if (typeof value === "string") return { case: "text", value };
    if (value instanceof Uint8Array) return { case: "blob", value };
    throw new TypeError(
      `SQL parameter ${index + 1} must be null, a number, bigint, boolean, string or Uint8Array`,
    );
  })();
  return create(SqlValueSchema, { kind });
}

/** A value from the wire: INTEGER as a number when within ±2^53, else a bigint. */
export function sqlValueFromWire(value: WireSqlValue | undefined): SqlValue {
  switch (value?.kind.case) {
    case "integer": {
      const n = value.kind.value;
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
    }
    case "real":
    case "text":
    case "blob":
      return value.kind.value;
    default:
      return null;
  }
}

export function sqlStatementToWire(input: SqlStatementInput): MessageInitShape<typeof SqlStatementSchema> {
  if (typeof input === "string") return { sql: input, params: [] };
  return { sql: input.sql, params: (input.params ?? []).map(sqlParamToWire) };
}

export function sqlResultFromWire(response: SqlQueryResponse): SqlResult {
  const lastInsertRowid = sqlValueFromWire(
    create(SqlValueSchema, { kind: { case: "integer", value: response.meta?.lastInsertRowid ?? 0n } }),
  ) as number | bigint;
  return {
    columns: response.columns.map(({ name, type }) => ({ name, type })),
    rows: response.rows.map((row) => row.values.map(sqlValueFromWire)),
    meta: {
      changes: Number(response.meta?.changes ?? 0n),
      durationMs: response.meta?.durationMs ?? 0,
      rowsReadLimitReached: response.meta?.rowsReadLimitReached ?? false,
      lastInsertRowid,
    },
  };
}
