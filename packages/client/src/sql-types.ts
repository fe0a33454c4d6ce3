/**
 * A value in an axon's SQL database, in JavaScript: NULL, a number (REAL, or an INTEGER within
 * ±2^53), a bigint (an INTEGER beyond 2^53: exact to 64 bits), text, or bytes.
 */
export type SqlValue = null | number | bigint | string | Uint8Array;

/** What a parameter may be: a SqlValue, or a boolean (bound as 1 or 0). */
export type SqlParam = SqlValue | boolean | undefined;

export interface SqlColumn {
  readonly name: string;
  /** The declared type as written (TEXT, INTEGER, REAL, BLOB, …), or "" for expressions. */
  readonly type: string;
}

export interface SqlMeta {
  /** Rows changed by an INSERT, UPDATE or DELETE; 0 for other statements. */
  readonly changes: number;
  readonly durationMs: number;
  /** The result stopped at the server's row or byte limit; more rows exist. */
  readonly rowsReadLimitReached: boolean;
  readonly lastInsertRowid: number | bigint;
}

export interface SqlResult {
  readonly columns: readonly SqlColumn[];
  /** Each row's values in column order. */
  readonly rows: readonly (readonly SqlValue[])[];
  readonly meta: SqlMeta;
}

export type SqlStatementInput = string | { readonly sql: string; readonly params?: readonly SqlParam[] };

/** SQLite's message and extended result code name (e.g. SQLITE_CONSTRAINT_PRIMARYKEY). */
export interface SqlErrorInfo {
  readonly message: string;
  readonly code: string;
}

export type SqlStepResult =
  | { readonly ok: true; readonly result: SqlResult }
  | { readonly ok: false; readonly error: SqlErrorInfo };

export interface SqlBatchResult {
  /** One per statement that ran; when `committed` is false the last one is the failure. */
  readonly results: readonly SqlStepResult[];
  readonly committed: boolean;
}
