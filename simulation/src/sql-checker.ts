import type { Checker } from "./checker.js";
import type { SimSqlDisk } from "./sim-sql-disk.js";
import { type NoteRow, writeOf } from "./sim-sql-statements.js";

// The oracle's own names for the origins (not @openaxon/protocol's), like checker.ts.
const ORIGIN_NAMES: Record<number, string> = {
  1: "ORIGIN_EXTERNAL_EVENT",
  2: "ORIGIN_AGENT_EVENT",
  3: "ORIGIN_USER_EVENT",
  4: "ORIGIN_SYSTEM_EVENT",
};

/**
 * Invariants 13 and 14, on the SQL database of each axon. The oracle reads SimSqlDisk's durable
 * files itself (`<dir>/<axon id>.sqlite`, the layout SqlDatabases uses) and the log through the
 * Checker's decoding of the log disk.
 *
 * 13: an acknowledged write is durable at its ack and stays so through every crash; a write (one
 *     statement or a batch) is all or nothing; a read shows only durable rows, every row of every
 *     write acknowledged before it was sent, and whole writes; what a read showed stays.
 * 14: axon_events is exactly the durable log from sequence 1 to some n, byte-identical, with n at
 *     least every event acknowledged to the publisher before the statement was sent.
 */
export class SqlChecker {
  /** `${axonId}:${note id}` → the body someone was told is there. */
  private readonly pins = new Map<string, { readonly body: string; readonly who: string }>();
  /** Write id → its axon and row ids. */
  private readonly writes = new Map<string, { readonly axonId: string; readonly ids: readonly string[] }>();

  constructor(
    private readonly checker: Checker,
    private readonly disk: SimSqlDisk,
    private readonly pathOf: (axonId: string) => string,
    private readonly nameOf: (axonId: string) => string,
  ) {}

  onWriteSent(writeId: string, axonId: string, rows: readonly NoteRow[]): void {
    this.writes.set(writeId, { axonId, ids: rows.map((r) => r.id) });
  }

  /** A write was acknowledged (or a retry found it applied): every row durable now, and pinned. */
  onWriteAck(who: string, axonId: string, rows: readonly NoteRow[]): void {
    const durable = this.durableById(axonId);
    for (const row of rows) {
      if (durable.get(row.id) !== row.body) {
        this.checker.fail(
          13,
          `${who} was acknowledged on axon=${this.nameOf(axonId)}, but row ${row.id} is ${durable.has(row.id) ? "different" : "not durable"}`,
        );
      }
      this.pins.set(`${axonId}:${row.id}`, { body: row.body, who: `acknowledged to ${who}` });
    }
  }

  /** A read of `notes` answered: only durable rows, whole writes, every write acked before it was sent. */
  onNotesRead(who: string, axonId: string, rows: readonly NoteRow[], ackedBefore: readonly NoteRow[]): void {
    const name = this.nameOf(axonId);
    const durable = this.durableById(axonId);
    const seen = new Map(rows.map((r) => [r.id, r.body]));
    for (const row of rows) {
      if (durable.get(row.id) !== row.body) {
        this.checker.fail(13, `${who} on axon=${name} showed row ${row.id}, which is not durable`);
      }
      this.pins.set(`${axonId}:${row.id}`, { body: row.body, who: `shown to ${who}` });
    }
    for (const row of ackedBefore) {
      if (seen.get(row.id) !== row.body) {
        this.checker.fail(
          13,
          `${who} on axon=${name} did not show row ${row.id}, acknowledged before it was sent`,
        );
      }
    }
    for (const problem of this.partialWrites(axonId, new Set(seen.keys()))) {
      this.checker.fail(13, `${who} on axon=${name} showed ${problem}`);
    }
  }

  /**
   * A read of axon_events answered: a contiguous run of the durable log ending at n, n ≥ what was
   * acknowledged before. It starts at 1, or, when the mirror began on an axon retention had already
   * trimmed, at a first available sequence not above the durable trim line. The mirror drops rows
   * below the line it last saw, in the transaction that copies past it, so it never shows a gap.
   */
  onEventsRead(who: string, axonId: string, rows: readonly (readonly unknown[])[], ackedHead: number): void {
    const name = this.nameOf(axonId);
    const { head, first } = this.checker.durableLog(axonId);
    const start = rows.length > 0 ? Number(rows[0]![0]) : 1;
    const last = start + rows.length - 1;
    if (last < ackedHead || last > head || start > first) {
      this.checker.fail(
        14,
        `${who} on axon=${name} showed events ${start}..${last}; ${ackedHead} were acknowledged before it was sent, ${head} are durable and the first available is ${first}`,
      );
      return;
    }
    rows.forEach((row, i) => {
      const e = this.checker.durableAt(axonId, start + i);
      const want = e
        ? [BigInt(e.sequence), ORIGIN_NAMES[e.origin], e.source, e.eventType, e.payload]
        : [BigInt(start + i)];
      const got = [row[0], row[2], row[3], row[4], row[5]].slice(0, want.length);
      if (typeof row[1] !== "bigint" || want.some((value, k) => value !== got[k])) {
        this.checker.fail(
          14,
          `${who} on axon=${name} row ${i + 1} is ${JSON.stringify(got, bigints)}; the log holds ${JSON.stringify(want, bigints)}`,
        );
      }
    });
  }

  /** After every step: pinned rows still durable, and no write half on the disk. */
  checkState(axonIds: readonly string[]): void {
    for (const axonId of axonIds) {
      const durable = this.durableById(axonId);
      for (const [key, pin] of this.pins) {
        if (!key.startsWith(`${axonId}:`)) continue;
        const id = key.slice(axonId.length + 1);
        if (durable.get(id) !== pin.body) {
          this.checker.fail(
            13,
            `row ${id} on axon=${this.nameOf(axonId)} was ${pin.who}; it is no longer on the disk`,
          );
          this.pins.delete(key);
        }
      }
      for (const problem of this.partialWrites(axonId, new Set(durable.keys()))) {
        this.checker.fail(13, `the disk of axon=${this.nameOf(axonId)} holds ${problem}`);
      }
      const ids = [...durable.keys()];
      if (new Set(ids).size !== ids.length)
        this.checker.fail(13, `a row id is twice on axon=${this.nameOf(axonId)}`);
    }
  }

  private durableById(axonId: string): Map<string, string> {
    return new Map(this.disk.durableNotes(this.pathOf(axonId)).map((r) => [r.id, r.body]));
  }

  /** Writes of which only some rows are among `present`. */
  private partialWrites(axonId: string, present: ReadonlySet<string>): string[] {
    const problems: string[] = [];
    const writeIds = new Set([...present].map(writeOf));
    for (const writeId of writeIds) {
      const write = this.writes.get(writeId);
      if (!write || write.axonId !== axonId) {
        problems.push(`rows of ${writeId}, which was never sent to this axon`);
        continue;
      }
      const have = write.ids.filter((id) => present.has(id)).length;
      if (have !== write.ids.length) problems.push(`${have} of the ${write.ids.length} rows of ${writeId}`);
    }
    return problems;
  }
}

const bigints = (_key: string, value: unknown) => (typeof value === "bigint" ? `${value}` : value);
