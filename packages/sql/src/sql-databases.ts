import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { isMutantActive } from "@openaxon/core";
import { originName } from "@openaxon/protocol/vocabulary";
import { type AxonRecord, EventsTrimmedError, type LogStore, type StoredEvent } from "@openaxon/store";
import type {
  HostMirrorHeadReply,
  HostReplyStep,
  HostRunReply,
  SqlHostEvents,
  SqlHostPort,
} from "./host-protocol.js";
import { KeyedQueue } from "./keyed-queue.js";
import { failureError, SqlAxonNotFoundError, SqlStatementError, SqlUnavailableError } from "./sql-errors.js";
import { SqlHost, SqlHostError } from "./sql-host.js";
import { DEFAULT_SQL_LIMITS, type SqlLimits, statementSizeProblem } from "./sql-limits.js";
import type { SqlBatchResult, SqlFailure, SqlResult, SqlStatement } from "./sql-value.js";
import { checkStatement } from "./statement-check.js";

export interface SqlDatabasesOptions {
  /** Directory for the databases (created owner-only); one `<axonId>.sqlite` per axon. */
  readonly dir: string;
  readonly store: LogStore;
  readonly limits?: Partial<SqlLimits>;
  /** Host processes; an axon always uses the same one. Default 2. */
  readonly hosts?: number;
  readonly logger?: { warn(fields: object, message: string): void };
  /**
   * Starts a host. Default: a host child process (`SqlHost`), and `dir` is created. The simulation
   * passes its model of the SQLite files here; such a host owns its storage and `dir` is not created.
   */
  readonly startHost?: (events: SqlHostEvents, maxOpenDatabases: number) => SqlHostPort;
}

/** Events copied into the mirror per request to the host. */
const MIRROR_PAGE_EVENTS = 1000;
const MIRROR_PAGE_BYTES = 4 * 1024 * 1024;
/** Ids the store hands out; anything else cannot be an axon and must not become a file name. */
const AXON_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * The SQL database of every axon: checks each statement (sql-limits, statement-check), serialises
 * the statements of one axon, brings the axon_events mirror up to the durable head before each one,
 * and runs it in a host process under the time limit.
 */
export class SqlDatabases {
  readonly limits: SqlLimits;
  private readonly hosts: SqlHostPort[];
  private readonly queue = new KeyedQueue();
  /** Highest sequence known to be in each axon's mirror (absent: ask the host). */
  private readonly mirrored = new Map<string, number>();
  /** The first sequence each axon's mirror was last trimmed to (absent: not since the host started). */
  private readonly trimmedTo = new Map<string, number>();

  private constructor(private readonly options: SqlDatabasesOptions) {
    this.limits = { ...DEFAULT_SQL_LIMITS, ...options.limits };
    const count = Math.max(1, options.hosts ?? 2);
    const events: SqlHostEvents = {
      onRestart: (reason) => {
        // The mirror's last write may be the one that was cut short: ask again.
        this.mirrored.clear();
        this.trimmedTo.clear();
        options.logger?.warn({ reason }, "SQL host restarted");
      },
    };
    const start =
      options.startHost ??
      ((hostEvents: SqlHostEvents, maxOpen: number) => new SqlHost(maxOpen, hostEvents, options.dir));
    this.hosts = Array.from({ length: count }, () => start(events, this.limits.maxOpenDatabases));
  }

  static async open(options: SqlDatabasesOptions): Promise<SqlDatabases> {
    if (!options.startHost) await mkdir(options.dir, { recursive: true, mode: 0o700 });
    return new SqlDatabases(options);
  }

  /** Over hosts that own their storage (the simulation's model): no I/O here, so no await. */
  static withHosts(
    options: SqlDatabasesOptions & { readonly startHost: NonNullable<SqlDatabasesOptions["startHost"]> },
  ): SqlDatabases {
    return new SqlDatabases(options);
  }

  /** Runs exactly one statement. Throws SqlStatementError, SqlDatabaseFullError, SqlInterruptedError, SqlAxonNotFoundError. */
  async query(axonId: string, statement: SqlStatement): Promise<SqlResult> {
    const refusal = this.refusal(statement);
    if (refusal) throw new SqlStatementError(refusal.message, refusal.code);
    const reply = await this.run(axonId, [statement], false);
    const step = reply.results[0]!;
    if (step.error) throw failureError(step.error);
    return toResult(step.ok!);
  }

  /**
   * Runs the statements in one transaction. A failing step ends the batch: it carries the error,
   * later steps do not run and nothing is committed. A refused step fails the same way.
   */
  async batch(axonId: string, statements: readonly SqlStatement[]): Promise<SqlBatchResult> {
    if (statements.length === 0)
      throw new SqlStatementError("a batch needs at least one statement", "SQLITE_MISUSE");
    if (statements.length > this.limits.maxBatchStatements) {
      throw new SqlStatementError(
        `a batch has at most ${this.limits.maxBatchStatements} statements, got ${statements.length}`,
        "SQLITE_TOOBIG",
      );
    }
    const refusedAt = statements.findIndex((s) => this.refusal(s) !== undefined);
    const runnable = refusedAt === -1 ? statements : statements.slice(0, refusedAt);
    const reply = await this.run(
      axonId,
      runnable,
      !isMutantActive("sql-batch-not-atomic"),
      refusedAt === -1 ? undefined : this.refusal(statements[refusedAt]!),
    );
    const results = reply.results.map((step) =>
      step.error ? { error: step.error } : { ok: toResult(step.ok!) },
    );
    if (reply.commitError) {
      const full = failureError(reply.commitError);
      throw full;
    }
    return { results, committed: reply.committed };
  }

  /** Deletes the axon's database and its mirror (call after the axon is deleted). */
  async deleteDatabase(axonId: string): Promise<void> {
    if (!AXON_ID.test(axonId)) return;
    await this.queue.run(axonId, async () => {
      await this.hostFor(axonId).request({ op: "delete", ...this.paths(axonId) });
      this.mirrored.delete(axonId);
      this.trimmedTo.delete(axonId);
    });
  }

  /** Finishes the statements in flight, closes every database and ends the host processes. */
  async close(): Promise<void> {
    await Promise.all(this.hosts.map((host) => host.close()));
  }

  private refusal(statement: SqlStatement): SqlFailure | undefined {
    const size = statementSizeProblem(statement.sql, statement.params, this.limits);
    if (size)
      return { message: size, code: size.startsWith("SQL text") ? "SQLITE_TOOBIG" : "SQLITE_MISMATCH" };
    const check = checkStatement(statement.sql);
    if (!check.ok) return { message: check.reason, code: "SQLITE_AUTH" };
    if (check.parameterCount !== statement.params.length) {
      return {
        message: `the statement has ${check.parameterCount} parameter(s) but ${statement.params.length} value(s) were given`,
        code: "SQLITE_RANGE",
      };
    }
    return undefined;
  }

  private async run(
    axonId: string,
    statements: readonly SqlStatement[],
    atomic: boolean,
    trailingError?: SqlFailure,
  ): Promise<HostRunReply> {
    if (!AXON_ID.test(axonId)) throw new SqlAxonNotFoundError(axonId);
    return this.queue.run(axonId, async () => {
      const axon = await this.options.store.getAxon(axonId);
      if (!axon) throw new SqlAxonNotFoundError(axonId);
      const host = this.hostFor(axonId);
      try {
        await this.mirror(host, axon);
        return await host.request<HostRunReply>(
          {
            op: "run",
            ...this.paths(axonId),
            maxDatabaseBytes: this.limits.maxDatabaseBytes,
            statements: statements.map((s) => ({ sql: s.sql, params: [...s.params] })),
            atomic,
            trailingError,
            limits: { maxRows: this.limits.maxResultRows, maxBytes: this.limits.maxResultBytes },
          },
          this.limits.statementTimeoutMs,
        );
      } catch (error) {
        if (error instanceof SqlHostError) {
          // Opening or mirroring failed (e.g. the disk is full): not the caller's statement.
          throw new SqlUnavailableError(`the axon's database could not be used: ${error.message}`);
        }
        throw error;
      }
    });
  }

  /**
   * Copies the events after the mirror's head up to the durable head the store reports now, and
   * drops the rows retention has trimmed from the log. The trim travels with the first copy (one
   * transaction), so a mirror that skips trimmed events never shows a gap; a trim with nothing to
   * copy goes alone.
   */
  private async mirror(host: SqlHostPort, axon: AxonRecord): Promise<void> {
    const paths = { ...this.paths(axon.id), maxDatabaseBytes: this.limits.maxDatabaseBytes };
    let head: number =
      this.mirrored.get(axon.id) ??
      (await host.request<HostMirrorHeadReply>({ op: "mirrorHead", ...paths })).head;
    this.mirrored.set(axon.id, head);
    const first = axon.firstSequence;
    let trimBelow = first > (this.trimmedTo.get(axon.id) ?? 1) ? first : undefined;
    // Events below the first available sequence are gone from the log: start after them.
    head = Math.max(head, first - 1);
    while (head < axon.headSequence) {
      let page: StoredEvent[];
      try {
        page = await this.options.store.read(axon.id, {
          afterSequence: head,
          limit: MIRROR_PAGE_EVENTS,
          maxBytes: MIRROR_PAGE_BYTES,
        });
      } catch (error) {
        // A retention pass trimmed further since the axon was read: skip to what is left.
        if (!(error instanceof EventsTrimmedError) || error.firstSequence - 1 <= head) throw error;
        head = error.firstSequence - 1;
        trimBelow = error.firstSequence;
        continue;
      }
      const events = page.filter((e) => e.sequence <= axon.headSequence);
      if (events.length === 0) break;
      const rows = events.map(
        (e) =>
          [
            BigInt(e.sequence),
            BigInt(e.timestampMs),
            originName(e.origin),
            e.source,
            e.eventType,
            e.payload,
          ] as const,
      );
      await host.request({ op: "mirror", ...paths, rows, ...(trimBelow !== undefined && { trimBelow }) });
      if (trimBelow !== undefined) this.trimmedTo.set(axon.id, trimBelow);
      trimBelow = undefined;
      head = events[events.length - 1]!.sequence;
      this.mirrored.set(axon.id, head);
    }
    if (trimBelow !== undefined) {
      await host.request({ op: "mirror", ...paths, rows: [], trimBelow });
      this.trimmedTo.set(axon.id, trimBelow);
    }
    this.mirrored.set(axon.id, head);
  }

  private paths(axonId: string): { path: string; mirrorPath: string } {
    return {
      path: join(this.options.dir, `${axonId}.sqlite`),
      mirrorPath: join(this.options.dir, `${axonId}.events.sqlite`),
    };
  }

  private hostFor(axonId: string): SqlHostPort {
    let hash = 0;
    for (let i = 0; i < axonId.length; i++) hash = (hash * 31 + axonId.charCodeAt(i)) | 0;
    return this.hosts[Math.abs(hash) % this.hosts.length]!;
  }
}

function toResult(step: NonNullable<HostReplyStep["ok"]>): SqlResult {
  return {
    columns: step.columns,
    rows: step.rows,
    changes: step.changes,
    lastInsertRowid: step.lastInsertRowid,
    durationMs: step.durationMs,
    rowsReadLimitReached: step.limitReached,
  };
}
