import type {
  HostReplyStep,
  HostRunReply,
  SqlFailure,
  SqlHostPort,
  SqlHostRequest,
  SqlValue,
} from "@openaxon/sql";
import { SqlUnavailableError } from "@openaxon/sql";
import type { SimSqlDisk } from "./sim-sql-disk.js";
import { type MirrorRow, type NoteRow, SIM_SQL } from "./sim-sql-statements.js";

interface Queued {
  readonly message: SqlHostRequest;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

interface Commit {
  readonly path: string;
  readonly rows: readonly NoteRow[];
  readonly added: readonly NoteRow[];
}

/** What one request does: its reply, and the commits that must be durable before it is sent. */
interface Handled {
  readonly reply: unknown;
  readonly commits?: readonly Commit[];
}

const never = <T>(): Promise<T> => new Promise<T>(() => {});

type Columns = { name: string; type: string }[];

const EVENT_COLUMNS: Columns = [
  { name: "sequence", type: "INTEGER" },
  { name: "timestamp_ms", type: "INTEGER" },
  { name: "origin", type: "TEXT" },
  { name: "source", type: "TEXT" },
  { name: "event_type", type: "TEXT" },
  { name: "payload", type: "TEXT" },
];

/**
 * The simulation's SQL host: the same request protocol as `host/sql-host.mjs` (SqlHostPort), on
 * SimSqlDisk instead of libsql. Like the real host it runs one request at a time and answers a
 * committing `run` only once the commit is durable. It understands only SIM_SQL's statements.
 * Not modelled: statement time limits (`timeoutMs` is ignored), the size cap, the LRU of open files.
 */
export class SimSqlHost implements SqlHostPort {
  private readonly queue: Queued[] = [];
  private busy = false;
  private readonly life: number;

  constructor(private readonly disk: SimSqlDisk) {
    this.life = disk.life;
  }

  private get dead(): boolean {
    return this.disk.life !== this.life;
  }

  request<T>(message: SqlHostRequest): Promise<T> {
    if (this.dead) return never();
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ message, resolve: resolve as (value: unknown) => void, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    for (const pending of this.queue.splice(0))
      pending.reject(new SqlUnavailableError("the SQL service closed"));
  }

  private pump(): void {
    if (this.busy || this.dead) return;
    const next = this.queue.shift();
    if (!next) return;
    this.busy = true;
    let handled: Handled;
    try {
      handled = this.handle(next.message);
    } catch (error) {
      this.busy = false;
      next.reject(error as Error);
      this.pump();
      return;
    }
    const durable = Promise.all(
      (handled.commits ?? []).map((c) => this.disk.commit(c.path, c.rows, c.added)),
    );
    void durable.then(() => {
      // A power cut between the commit and here: the process is gone, nobody hears back.
      if (this.dead) return;
      this.busy = false;
      next.resolve(handled.reply);
      this.pump();
    });
  }

  private handle(message: SqlHostRequest): Handled {
    switch (message.op) {
      case "configure":
      case "closeAll":
        return { reply: {} };
      case "mirrorHead": {
        const rows = this.disk.mirror(message.mirrorPath);
        return { reply: { head: rows.length === 0 ? 0 : Number(rows[rows.length - 1]![0]) } };
      }
      case "mirror":
        this.disk.writeMirror(message.mirrorPath, message.rows, message.trimBelow);
        return { reply: {} };
      case "delete":
        this.disk.remove([message.path, message.mirrorPath]);
        return { reply: {} };
      case "run":
        return this.run(message);
    }
  }

  /**
   * A `run`: atomic, its statements are one transaction (one commit, or none if a step fails); not
   * atomic, each statement commits on its own, as SQLite's autocommit does.
   */
  private run(message: Extract<SqlHostRequest, { op: "run" }>): Handled {
    const before = this.disk.notes(message.path);
    const notes = [...before];
    const mirror = this.disk.mirror(message.mirrorPath);
    const results: HostReplyStep[] = [];
    const commits: Commit[] = [];
    let committed = before.length;
    for (const statement of message.statements) {
      const outcome = execute(statement.sql, statement.params, notes, mirror, message.limits.maxRows);
      results.push(outcome);
      if (outcome.error) {
        notes.length = committed;
        break;
      }
      if (!message.atomic && notes.length > committed) {
        commits.push({ path: message.path, rows: [...notes], added: notes.slice(committed) });
        committed = notes.length;
      }
    }
    if (message.trailingError && !results.some((r) => r.error))
      results.push({ error: message.trailingError });
    const failed = results.some((r) => r.error);
    const reply: HostRunReply = { results, committed: !failed };
    if (message.atomic && !failed && notes.length > before.length) {
      commits.push({ path: message.path, rows: notes, added: notes.slice(before.length) });
    }
    return { reply, commits };
  }
}

/** One statement against the file's rows (appending to `notes` for an INSERT). */
function execute(
  sql: string,
  params: readonly SqlValue[],
  notes: NoteRow[],
  mirror: readonly MirrorRow[],
  maxRows: number,
): HostReplyStep {
  const ok = (columns: Columns, rows: SqlValue[][], changes = 0n): HostReplyStep => ({
    ok: {
      columns,
      rows: rows.slice(0, maxRows),
      changes,
      lastInsertRowid: BigInt(notes.length),
      durationMs: 0,
      limitReached: rows.length > maxRows,
    },
  });
  switch (sql) {
    case SIM_SQL.insertNote: {
      const [id, body] = params;
      if (typeof id !== "string" || typeof body !== "string")
        return failure("notes take TEXT id and body", "SQLITE_MISMATCH");
      if (notes.some((n) => n.id === id))
        return failure("UNIQUE constraint failed: notes.id", "SQLITE_CONSTRAINT_PRIMARYKEY");
      notes.push({ id, body });
      return ok([], [], 1n);
    }
    case SIM_SQL.selectNotes:
      return ok(
        [
          { name: "id", type: "TEXT" },
          { name: "body", type: "TEXT" },
        ],
        notes.map((n) => [n.id, n.body]),
      );
    case SIM_SQL.selectEvents:
      return ok(
        EVENT_COLUMNS,
        mirror.map((row) => [...row]),
      );
    default:
      return failure(
        `the simulated SQL host runs only the simulation's statements, not: ${sql}`,
        "SQLITE_ERROR",
      );
  }
}

function failure(message: string, code: string): { error: SqlFailure } {
  return { error: { message, code } };
}
