import type { SqlFailure } from "./sql-value.js";

/** The statement was refused before running, or SQLite rejected it (syntax, constraint, …). */
export class SqlStatementError extends Error {
  override readonly name = "SqlStatementError";
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** The database reached its size cap (SQLITE_FULL). */
export class SqlDatabaseFullError extends Error {
  override readonly name = "SqlDatabaseFullError";
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** The statement ran past its time limit and was interrupted; nothing it did was kept. */
export class SqlInterruptedError extends Error {
  override readonly name = "SqlInterruptedError";
}

export class SqlAxonNotFoundError extends Error {
  override readonly name = "SqlAxonNotFoundError";
  constructor(readonly axonId: string) {
    super(`axon ${axonId} not found`);
  }
}

/** The host process failed or the service is closing; the outcome of a write is unknown. */
export class SqlUnavailableError extends Error {
  override readonly name = "SqlUnavailableError";
}

/** The error a failed statement is reported as: SQLITE_FULL is the size cap, the rest are the caller's. */
export function failureError(failure: SqlFailure): SqlStatementError | SqlDatabaseFullError {
  if (failure.code === "SQLITE_FULL") {
    return new SqlDatabaseFullError(
      `${failure.message} (the axon's database reached its size cap)`,
      failure.code,
    );
  }
  return new SqlStatementError(failure.message, failure.code);
}
