import { type Client, Code, ConnectError, createClient } from "@connectrpc/connect";
import { type SqlValue as ProtoSqlValue, SqlErrorSchema, SqlService } from "@openaxon/protocol";
import type { ClientContext } from "./clients.js";
import { type NoteRow, SIM_SQL } from "./sim-sql-statements.js";
import type { SqlChecker } from "./sql-checker.js";

export type SqlWriteState = "sent" | "acked" | "unknown";

/** One logical SQL write (an INSERT, or a batch of them), across its retries. */
export interface SqlWriteRecord {
  readonly id: string;
  readonly axonId: string;
  readonly rows: readonly NoteRow[];
  state: SqlWriteState;
  attempts: number;
}

const text = (value: string): { kind: { case: "text"; value: string } } => ({
  kind: { case: "text", value },
});
const cellOf = (v: ProtoSqlValue): unknown => v.kind.value;

/**
 * The SQL client: inserts notes (one statement, or a batch) and reads them and axon_events back
 * through SqlService over the simulated network. UNAVAILABLE leaves a write's outcome unknown; a
 * retry sends the same rows, and a primary-key conflict on its first row then means the original
 * was applied (row ids are unique per write, and a batch is all or nothing).
 */
export class SqlClient {
  readonly records: SqlWriteRecord[] = [];
  private readonly client: Client<typeof SqlService>;
  private readsInFlight = 0;
  private nextWrite = 1;
  private nextRead = 1;

  constructor(
    private readonly ctx: ClientContext,
    private readonly checker: SqlChecker,
    /** What the publisher knows is acknowledged on an axon (its head). */
    private readonly knownHead: (axonId: string) => number,
    readonly name = "sql",
  ) {
    this.client = createClient(SqlService, ctx.net.transportFor(name));
  }

  get outstanding(): number {
    return this.records.filter((r) => r.state === "sent").length + this.readsInFlight;
  }

  retryable(): SqlWriteRecord[] {
    return this.records.filter((r) => r.state === "unknown");
  }

  write(axonId: string, count: number): void {
    const id = `w${this.nextWrite++}`;
    const rows = Array.from({ length: count }, (_, i) => ({ id: `${id}.${i}`, body: `note ${i} of ${id}` }));
    const record: SqlWriteRecord = { id, axonId, rows, state: "sent", attempts: 0 };
    this.records.push(record);
    this.checker.onWriteSent(id, axonId, rows);
    this.send(record);
  }

  retry(record: SqlWriteRecord): void {
    record.state = "sent";
    this.send(record);
  }

  /** Reads the notes, or axon_events, of an axon and has the checker compare them with the disk. */
  read(axonId: string, what: "notes" | "events"): void {
    const who = `sql read r${this.nextRead++}`;
    const { ctx } = this;
    const ackedBefore = this.records
      .filter((r) => r.axonId === axonId && r.state === "acked")
      .flatMap((r) => r.rows);
    const ackedHead = this.knownHead(axonId);
    ctx.trace(`${who} axon=${ctx.nameOf(axonId)} ${what}`);
    this.readsInFlight++;
    const sql = what === "notes" ? SIM_SQL.selectNotes : SIM_SQL.selectEvents;
    this.client
      .query({ axonId, sql })
      .then(
        (response) => {
          const rows = response.rows.map((r) => r.values.map(cellOf));
          ctx.trace(`${who} → ${rows.length} row(s)`);
          if (what === "notes") {
            const notes = rows.map(([id, body]) => ({ id: String(id), body: String(body) }));
            this.checker.onNotesRead(who, axonId, notes, ackedBefore);
          } else {
            this.checker.onEventsRead(who, axonId, rows, ackedHead);
          }
        },
        (error: unknown) => this.unexpectedUnlessUnavailable(who, error),
      )
      .finally(() => {
        this.readsInFlight--;
      });
  }

  private send(record: SqlWriteRecord): void {
    record.attempts++;
    const { ctx } = this;
    const who = `sql write ${record.id}`;
    const retry = record.attempts > 1 ? ` retry#${record.attempts - 1}` : "";
    ctx.trace(`${who}${retry} axon=${ctx.nameOf(record.axonId)} ${record.rows.length} row(s)`);
    const statements = record.rows.map((r) => ({
      sql: SIM_SQL.insertNote,
      params: [text(r.id), text(r.body)],
    }));
    const sent: Promise<"applied" | "found"> =
      statements.length === 1
        ? this.client.query({ axonId: record.axonId, ...statements[0]! }).then(() => "applied" as const)
        : this.client.batch({ axonId: record.axonId, statements }).then((batch) => {
            if (batch.committed) return "applied";
            const first = batch.results[0]?.result;
            const duplicate = first?.case === "error" && isDuplicate(first.value.code);
            if (record.attempts > 1 && batch.results.length === 1 && duplicate) {
              return "found";
            }
            throw new Error(
              `batch not committed: ${JSON.stringify(batch.results.map((r) => r.result.case))}`,
            );
          });
    sent.then(
      (how) => this.acked(record, how),
      (error: unknown) => {
        const e = ConnectError.from(error);
        const code = e.findDetails(SqlErrorSchema)[0]?.code;
        if (record.attempts > 1 && e.code === Code.InvalidArgument && code && isDuplicate(code)) {
          this.acked(record, "found");
        } else if (e.code === Code.Unavailable) {
          record.state = "unknown";
          ctx.coverage.sqlUnknownOutcome++;
          ctx.trace(`${who} unknown (UNAVAILABLE)`);
        } else {
          record.state = "unknown";
          ctx.checker.fail(12, `${who} failed with ${Code[e.code]}: ${e.rawMessage}`);
        }
      },
    );
  }

  private acked(record: SqlWriteRecord, how: "applied" | "found"): void {
    record.state = "acked";
    const who = `sql write ${record.id}`;
    this.ctx.trace(`${who} ${how === "applied" ? "ack" : "found applied by an earlier attempt"}`);
    if (how === "found") this.ctx.coverage.sqlRetryFoundApplied++;
    this.checker.onWriteAck(who, record.axonId, record.rows);
  }

  private unexpectedUnlessUnavailable(who: string, error: unknown): void {
    const e = ConnectError.from(error);
    if (e.code === Code.Unavailable) this.ctx.trace(`${who} unavailable`);
    else this.ctx.checker.fail(12, `${who} failed with ${Code[e.code]}: ${e.rawMessage}`);
  }
}

const isDuplicate = (code: string) => code === "SQLITE_CONSTRAINT_PRIMARYKEY";
