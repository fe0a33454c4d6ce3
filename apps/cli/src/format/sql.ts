import type { SqlResult, SqlValue } from "@openaxon/client";
import type { Colors } from "./colors.js";
import { formatTable } from "./table.js";

/** A cell as SQLite's shell shows it: NULL, X'hex' for blobs, control characters escaped. */
export function sqlCellText(value: SqlValue): string {
  if (value === null) return "NULL";
  if (value instanceof Uint8Array) return `X'${Buffer.from(value).toString("hex").toUpperCase()}'`;
  if (typeof value === "string") return JSON.stringify(value).slice(1, -1).replaceAll('\\"', '"');
  if (Object.is(value, -0)) return "-0.0";
  return String(value);
}

export function formatSqlTable(result: SqlResult, colors: Colors): string[] {
  return formatTable(
    result.columns.map((c) => c.name),
    result.rows.map((row) => row.map(sqlCellText)),
    colors,
    (row, column, padded) => (result.rows[row]?.[column] === null ? colors.dim(padded) : padded),
  );
}

/** A one-line summary for people (stderr): rows, changes, time, and the limit when it cut the result. */
export function sqlSummary(result: SqlResult): string {
  const parts = [`${result.rows.length} row${result.rows.length === 1 ? "" : "s"}`];
  if (result.meta.changes > 0) parts.push(`${result.meta.changes} changed`);
  parts.push(`${result.meta.durationMs.toFixed(1)} ms`);
  const line = parts.join(", ");
  return result.meta.rowsReadLimitReached
    ? `${line} (stopped at the server's result limit; more rows exist)`
    : line;
}

/**
 * The result as one JSON line: integers as JSON numbers with every digit (bigints too), -0 as
 * -0.0, blobs as {"blob": "<base64>"}; non-finite reals as the strings "Infinity"/"-Infinity".
 */
export function sqlResultJson(result: SqlResult): string {
  const value = (v: SqlValue): string => {
    if (v === null) return "null";
    if (typeof v === "bigint") return v.toString();
    if (typeof v === "number") {
      if (Object.is(v, -0)) return "-0.0";
      return Number.isFinite(v) ? String(v) : JSON.stringify(String(v));
    }
    if (typeof v === "string") return JSON.stringify(v);
    return JSON.stringify({ blob: Buffer.from(v).toString("base64") });
  };
  const columns = JSON.stringify(result.columns);
  const rows = `[${result.rows.map((row) => `[${row.map(value).join(",")}]`).join(",")}]`;
  const meta = JSON.stringify({
    changes: result.meta.changes,
    durationMs: result.meta.durationMs,
    rowsReadLimitReached: result.meta.rowsReadLimitReached,
    lastInsertRowid: result.meta.lastInsertRowid.toString(),
  }).replace(/"lastInsertRowid":"(-?\d+)"/, '"lastInsertRowid":$1');
  return `{"columns":${columns},"rows":${rows},"meta":${meta}}`;
}
