import type { MirrorRow, NoteRow } from "./sim-sql-statements.js";

interface PendingCommit {
  readonly id: number;
  readonly path: string;
  /** The file's rows once this commit is applied. */
  readonly rows: readonly NoteRow[];
  /** The rows this commit adds (for traces). */
  readonly added: readonly NoteRow[];
  readonly resolve: () => void;
}

interface MirrorWrite {
  readonly path: string;
  readonly rows: readonly MirrorRow[];
  /** Rows below this sequence go first, in the same transaction (retention trimmed them). */
  readonly trimBelow?: number;
}

export interface SqlCrashReport {
  readonly inFlight: number;
  readonly survived: number;
}

/**
 * The SQLite files of one node across its crashes, as the durability contract of the host states
 * them (`host/sql-host.mjs`: WAL, `synchronous=FULL` for the axon's database, `NORMAL` for the
 * events mirror):
 *
 * - an axon's database: a commit is visible at once and durable when the scheduler syncs it (the
 *   host answers only then: FULL fsyncs the WAL before COMMIT returns); commits reach the platter in
 *   order and each is atomic. A power cut keeps the first `survivors` commits in flight, whole, and
 *   loses the rest, whole.
 * - the events mirror: a rebuildable cache written without waiting for an fsync (NORMAL); a power
 *   cut keeps only a prefix of what was written since the last cut (the first `survivors` writes).
 *
 * Hosts of a dead process never answer again (`life` moves on), as SimDisk does for the log.
 */
export class SimSqlDisk {
  private durable = new Map<string, readonly NoteRow[]>();
  private visible = new Map<string, readonly NoteRow[]>();
  private mirrorDurable = new Map<string, MirrorRow[]>();
  private mirrorVisible = new Map<string, MirrorRow[]>();
  private mirrorUnsynced: MirrorWrite[] = [];
  private pending: PendingCommit[] = [];
  private nextSyncId = 1;
  /** Bumped at every power cut: a host started in an earlier life is dead. */
  life = 0;

  get pendingSyncs(): number {
    return this.pending.length;
  }

  /** The commit the next `syncNext` completes, for traces. */
  get nextSync():
    | { readonly id: number; readonly path: string; readonly added: readonly NoteRow[] }
    | undefined {
    return this.pending[0];
  }

  /** What a running statement sees. */
  notes(path: string): readonly NoteRow[] {
    return this.visible.get(path) ?? [];
  }

  /** What survives a power cut now (the oracle's view). */
  durableNotes(path: string): readonly NoteRow[] {
    return this.durable.get(path) ?? [];
  }

  mirror(path: string): readonly MirrorRow[] {
    return this.mirrorVisible.get(path) ?? [];
  }

  /** A commit of `rows` as the file's new content; resolves once it is durable. */
  commit(path: string, rows: readonly NoteRow[], added: readonly NoteRow[]): Promise<void> {
    this.visible.set(path, rows);
    return new Promise((resolve) => {
      this.pending.push({ id: this.nextSyncId++, path, rows, added, resolve });
    });
  }

  /** Adds mirror rows (INSERT OR IGNORE by sequence), not synced. */
  writeMirror(path: string, rows: readonly MirrorRow[], trimBelow?: number): void {
    const write = { path, rows, ...(trimBelow !== undefined && { trimBelow }) };
    applyMirrorWrite(this.mirrorVisible, write);
    this.mirrorUnsynced.push(write);
  }

  /** Unlinks an axon's files (a metadata change; the model makes it durable at once). */
  remove(paths: readonly string[]): void {
    for (const path of paths) {
      for (const map of [this.durable, this.visible, this.mirrorDurable, this.mirrorVisible])
        map.delete(path);
    }
    this.pending = this.pending.filter((p) => !paths.includes(p.path));
    this.mirrorUnsynced = this.mirrorUnsynced.filter((w) => !paths.includes(w.path));
  }

  /** Completes the oldest commit in flight: durable first, then its host hears so. */
  syncNext(): boolean {
    const next = this.pending.shift();
    if (!next) return false;
    this.durable.set(next.path, next.rows);
    next.resolve();
    return true;
  }

  /** Power cut. */
  crash(survivors: number): SqlCrashReport {
    const inFlight = this.pending;
    this.pending = [];
    const keep = Math.min(Math.max(0, survivors), inFlight.length);
    for (const commit of inFlight.slice(0, keep)) this.durable.set(commit.path, commit.rows);
    for (const write of this.mirrorUnsynced.slice(0, survivors)) applyMirrorWrite(this.mirrorDurable, write);
    this.mirrorUnsynced = [];
    this.visible = new Map(this.durable);
    this.mirrorVisible = new Map([...this.mirrorDurable].map(([path, rows]) => [path, [...rows]]));
    this.life++;
    return { inFlight: inFlight.length, survived: keep };
  }
}

/** One mirror transaction, whole: the trim, then the inserts. */
function applyMirrorWrite(into: Map<string, MirrorRow[]>, write: MirrorWrite): void {
  if (write.trimBelow !== undefined) {
    const below = BigInt(write.trimBelow);
    into.set(
      write.path,
      (into.get(write.path) ?? []).filter((row) => row[0] >= below),
    );
  }
  insertOrIgnore(into, write.path, write.rows);
}

function insertOrIgnore(into: Map<string, MirrorRow[]>, path: string, rows: readonly MirrorRow[]): void {
  const list = into.get(path) ?? [];
  const have = new Set(list.map((r) => r[0]));
  for (const row of rows) {
    if (have.has(row[0])) continue;
    have.add(row[0]);
    list.push(row);
  }
  list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  into.set(path, list);
}
