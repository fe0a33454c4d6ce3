import type { SqlValue } from "./sql-value.js";

/** The stated limits of the SQL database per axon (README: "SQL"). */
export interface SqlLimits {
  /** Rows per result; past it the result stops and says `rowsReadLimitReached`. */
  readonly maxResultRows: number;
  /** Bytes of values per result (text as UTF-8, blobs, 8 per number); past it, as for rows. */
  readonly maxResultBytes: number;
  /** A statement (a whole batch) running longer is interrupted. */
  readonly statementTimeoutMs: number;
  /** The axon's database file may not grow past this (the axon_events mirror is not counted). */
  readonly maxDatabaseBytes: number;
  /** UTF-8 bytes of SQL text per statement. */
  readonly maxSqlBytes: number;
  /** Statements per batch. */
  readonly maxBatchStatements: number;
  /** Databases kept open at once per host process; the least recently used is closed. */
  readonly maxOpenDatabases: number;
}

export const DEFAULT_SQL_LIMITS: SqlLimits = {
  maxResultRows: 10_000,
  maxResultBytes: 4 * 1024 * 1024,
  statementTimeoutMs: 5_000,
  maxDatabaseBytes: 1024 * 1024 * 1024,
  maxSqlBytes: 100_000,
  maxBatchStatements: 100,
  maxOpenDatabases: 64,
};

/** Why a statement's text or parameters exceed the limits, or undefined. */
export function statementSizeProblem(
  sql: string,
  params: readonly SqlValue[],
  limits: SqlLimits,
): string | undefined {
  const bytes = Buffer.byteLength(sql);
  if (bytes > limits.maxSqlBytes) return `SQL text is ${bytes} bytes; the limit is ${limits.maxSqlBytes}`;
  const problem = params.map(paramProblem).find((p) => p !== undefined);
  return problem;
}

/**
 * Why a value cannot be bound, or undefined. NaN is refused (SQLite would store NULL), and so is
 * text containing NUL (the binding passes C strings and would cut it short).
 */
export function paramProblem(value: SqlValue, index: number): string | undefined {
  if (typeof value === "number" && Number.isNaN(value)) {
    return `parameter ${index + 1} is NaN, which SQLite cannot store (it would become NULL)`;
  }
  if (typeof value === "string" && value.includes("\u0000")) {
    return `parameter ${index + 1} contains a NUL character, which the SQLite binding would cut the text at; send it as a blob`;
  }
  if (typeof value === "bigint" && (value > 2n ** 63n - 1n || value < -(2n ** 63n))) {
    return `parameter ${index + 1} is outside the 64-bit integer range`;
  }
  return undefined;
}
