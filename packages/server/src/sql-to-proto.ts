import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { NullValue } from "@bufbuild/protobuf/wkt";
import {
  type SqlValue as ProtoSqlValue,
  type SqlQueryResponseSchema,
  SqlValueSchema,
} from "@openaxon/protocol";
import type { SqlResult, SqlValue } from "@openaxon/sql";
import { invalidArgument } from "./errors.js";

/** A request's value as bound: integers stay bigint end to end, blobs stay bytes. */
export function sqlValueFromProto(value: ProtoSqlValue, index: number): SqlValue {
  switch (value.kind.case) {
    case "null":
      return null;
    case "integer":
    case "real":
    case "text":
    case "blob":
      return value.kind.value;
    default:
      throw invalidArgument(`parameter ${index + 1} has no value; send {"null": null} for NULL`);
  }
}

/** A value SQLite returned: INTEGER is always a bigint, REAL a number. */
export function sqlValueToProto(value: SqlValue): ProtoSqlValue {
  if (value === null) return create(SqlValueSchema, { kind: { case: "null", value: NullValue.NULL_VALUE } });
  if (typeof value === "bigint") return create(SqlValueSchema, { kind: { case: "integer", value } });
  if (typeof value === "number") return create(SqlValueSchema, { kind: { case: "real", value } });
  if (typeof value === "string") return create(SqlValueSchema, { kind: { case: "text", value } });
  return create(SqlValueSchema, { kind: { case: "blob", value } });
}

export function sqlResultToProto(result: SqlResult): MessageInitShape<typeof SqlQueryResponseSchema> {
  return {
    columns: result.columns.map((c) => ({ name: c.name, type: c.type })),
    rows: result.rows.map((row) => ({ values: row.map(sqlValueToProto) })),
    meta: {
      changes: result.changes,
      durationMs: result.durationMs,
      rowsReadLimitReached: result.rowsReadLimitReached,
      lastInsertRowid: result.lastInsertRowid,
    },
  };
}
