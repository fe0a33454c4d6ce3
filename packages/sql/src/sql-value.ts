/**
 * A value bound to or read from SQLite: NULL, a 64-bit integer (always a bigint, never through a
 * double), a REAL, TEXT, or a BLOB.
 */
export type SqlValue = null | bigint | number | string | Uint8Array;

export interface SqlColumn {
  readonly name: string;
  /** The declared type as written (TEXT, INTEGER, …), or "" for expressions. */
  readonly type: string;
}

export interface SqlResult {
  readonly columns: readonly SqlColumn[];
  readonly rows: readonly (readonly SqlValue[])[];
  readonly changes: bigint;
  readonly lastInsertRowid: bigint;
  readonly durationMs: number;
  readonly rowsReadLimitReached: boolean;
}

export interface SqlStatement {
  readonly sql: string;
  readonly params: readonly SqlValue[];
}

/** A batch: the results of the steps that ran; the last one is the failure when `committed` is false. */
export interface SqlBatchResult {
  readonly results: readonly ({ readonly ok: SqlResult } | { readonly error: SqlFailure })[];
  readonly committed: boolean;
}

/** SQLite's message and extended result code name (e.g. SQLITE_CONSTRAINT_PRIMARYKEY). */
export interface SqlFailure {
  readonly message: string;
  readonly code: string;
}
