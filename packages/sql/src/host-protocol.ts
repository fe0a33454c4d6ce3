import type { SqlFailure, SqlResult, SqlValue } from "./sql-value.js";

/**
 * What SqlDatabases asks of a host and what it answers: the seam between the decisions (checks,
 * limits, ordering, the axon_events mirror) and the SQLite files. The host process
 * (`host/sql-host.mjs`) is the real one; the simulation puts its model of the files here.
 */
export interface SqlHostPort {
  /** Sends one request; with `timeoutMs`, past it the statement is interrupted (SqlInterruptedError). */
  request<T>(message: SqlHostRequest, timeoutMs?: number): Promise<T>;
  /** Lets the request in flight finish, closes every database and ends the host. */
  close(): Promise<void>;
}

export interface SqlHostEvents {
  /** The host was started again (after a time limit or a crash): its open databases are gone. */
  onRestart(reason: string): void;
}

/** The files of one axon: its database and the attached events mirror (a rebuildable cache). */
export interface SqlHostPaths {
  readonly path: string;
  readonly mirrorPath: string;
}

export type SqlHostRequest =
  | { readonly op: "configure"; readonly maxOpen: number }
  | (SqlHostPaths & { readonly op: "mirrorHead"; readonly maxDatabaseBytes: number })
  | (SqlHostPaths & {
      readonly op: "mirror";
      readonly maxDatabaseBytes: number;
      /** sequence, timestamp_ms, origin name, source, event_type, payload. */
      readonly rows: readonly (readonly [bigint, bigint, string, string, string, string])[];
      /**
       * Rows below this sequence are deleted first, in the same transaction: retention trimmed
       * those events from the log, and the mirror holds what the log still serves.
       */
      readonly trimBelow?: number;
    })
  | (SqlHostPaths & {
      readonly op: "run";
      readonly maxDatabaseBytes: number;
      readonly statements: readonly { readonly sql: string; readonly params: SqlValue[] }[];
      /** In one transaction: a failing step rolls back every step before it. */
      readonly atomic: boolean;
      /** A step refused before running: it fails the batch after the steps before it ran. */
      readonly trailingError?: SqlFailure;
      readonly limits: { readonly maxRows: number; readonly maxBytes: number };
    })
  | (SqlHostPaths & { readonly op: "delete" })
  | { readonly op: "closeAll" };

/** The reply to `mirrorHead`: the highest sequence in the mirror (0 when empty). */
export interface HostMirrorHeadReply {
  readonly head: number;
}

/** One step of a `run`: its result, or SQLite's failure. */
export interface HostReplyStep {
  readonly ok?: {
    readonly columns: { name: string; type: string }[];
    readonly rows: SqlResult["rows"];
    readonly changes: bigint;
    readonly lastInsertRowid: bigint;
    readonly durationMs: number;
    readonly limitReached: boolean;
  };
  readonly error?: SqlFailure;
}

/** The reply to `run`. The host answers only once a commit is durable (synchronous=FULL). */
export interface HostRunReply {
  readonly results: HostReplyStep[];
  readonly committed: boolean;
  /** The commit itself failed (e.g. SQLITE_FULL): nothing was kept. */
  readonly commitError?: SqlFailure;
}
