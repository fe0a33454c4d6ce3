import { type FileHandle, open, readdir } from "node:fs/promises";
import { join } from "node:path";
import { ClassicLevel } from "classic-level";
import { CommitWitness, commitWitnessPath, readCommitWitness } from "./commit-witness.js";
import { decideCommitCheck, type WitnessReading } from "./decide-commit-check.js";
import { decideJournalReplay } from "./decide-journal-replay.js";
import { decideStoreOpen } from "./decide-store-open.js";
import { syncDirectory } from "./durable-file.js";
import { StoreRefusedError } from "./errors.js";
import {
  createJournal,
  DEFAULT_JOURNAL_BYTES,
  JOURNAL_DATA_START,
  JOURNAL_PAGE,
  JournalFile,
  type JournalReading,
  journalDamaged,
  journalMissing,
  journalPath,
  MIN_JOURNAL_BYTES,
  readJournal,
} from "./journal-file.js";
import { encodeJournalRecord, journalRecordBytes } from "./journal-record.js";
import { JournalSpace } from "./journal-space.js";
import { keys } from "./keys.js";
import type { KvBackend, KvOp, KvRange } from "./kv-backend.js";
import { readLevelCommitCount } from "./level-commit-count.js";

type Db = ClassicLevel<string, Uint8Array>;

export interface ClassicLevelBackendOptions {
  /**
   * Size of the write-ahead journal a new store gets (rounded up to 4 KiB; default 8 MiB, at
   * least 64 KiB). Each commit takes at least 4 KiB of it; a commit larger than half of it is
   * written to LevelDB with its own sync instead. An existing journal keeps its size.
   */
  readonly journalBytes?: number;
  /**
   * What a checkpoint runs to make LevelDB's writes durable (default: fdatasync of its log files).
   * For tests to fail it: a failed fdatasync cannot be made to happen on a healthy disk.
   */
  readonly syncLevelLogs?: (path: string) => Promise<void>;
}

interface Opened {
  readonly db: Db;
  readonly witness: CommitWitness;
  readonly journal: JournalFile;
  /** Batches LevelDB holds (m!commits), all durable: open ends with a checkpoint. */
  readonly commits: number;
}

/**
 * KvBackend on classic-level (LevelDB) behind a write-ahead journal of our own (journal-file.ts).
 *
 * A commit is one record in the journal, durable when its O_DSYNC write returns, then one LevelDB
 * batch written without sync; it is acknowledged after both. LevelDB's own log is flushed to the
 * kernel on every write, so a process crash loses nothing; after a power cut, LevelDB may lack
 * commits that the journal still has, and open replays them (decide-journal-replay.ts). A checkpoint
 * fdatasyncs LevelDB's log files (syncLevelLogs) and then records the commit number in the commit
 * witness; only then may the journal overwrite those commits' records (journal-space.ts decides
 * when). Every commit bumps the commit count (m!commits)
 * so LevelDB and the journal can be compared.
 *
 * LevelDB's paranoid_checks and ReadOptions.verify_checksums are not offered by classic-level 3
 * (its binding sets neither; both stay LevelDB's default, off): LevelDB silently drops a damaged
 * write-ahead log tail and does not check table block checksums on reads or compactions. The chunk
 * checksums (event-codec.ts), the head record (recover-head.ts), the journal and the commit witness
 * cover what the store relies on instead.
 */
export class ClassicLevelBackend implements KvBackend {
  private db: Db;
  private witness: CommitWitness;
  private journal: JournalFile;
  private space: JournalSpace;
  private commits: number;
  private checkpointed: number;
  private checkpointing: Promise<void> = Promise.resolve();
  /** Set by close(): a write that slipped in after the final checkpoint would be lost to it. */
  private closing = false;
  /** A write failed after it may have reached the journal: no more until reopened. */
  private failure: unknown;
  /** The write in flight: writes are one at a time, which the journal's numbering relies on. */
  private writing: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private readonly journalBytes: number,
    private readonly syncLogs: (path: string) => Promise<void>,
    opened: Opened,
  ) {
    this.db = opened.db;
    this.witness = opened.witness;
    this.journal = opened.journal;
    this.space = new JournalSpace(JOURNAL_DATA_START, opened.journal.size);
    this.commits = opened.commits;
    this.checkpointed = opened.commits;
  }

  /**
   * Opens the database in `path`, creating it only if the directory is new or empty. A directory
   * that holds tables but lost its CURRENT file is refused (StoreRefusedError): LevelDB would
   * otherwise start an empty database over it. So is one whose LevelDB lost acknowledged batches
   * that the journal cannot give back, or whose journal is damaged or gone.
   */
  static async open(path: string, options: ClassicLevelBackendOptions = {}): Promise<ClassicLevelBackend> {
    const bytes = Math.max(MIN_JOURNAL_BYTES, options.journalBytes ?? DEFAULT_JOURNAL_BYTES);
    const journalBytes = Math.ceil(bytes / JOURNAL_PAGE) * JOURNAL_PAGE;
    const syncLogs = options.syncLevelLogs ?? syncLevelLogs;
    return new ClassicLevelBackend(
      path,
      journalBytes,
      syncLogs,
      await openChecked(path, journalBytes, syncLogs),
    );
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return (await this.db.get(key)) ?? undefined;
  }

  writeDurable(ops: readonly KvOp[]): Promise<void> {
    const write = this.writing.catch(() => {}).then(() => this.writeNumbered(ops));
    this.writing = write;
    return write;
  }

  private async writeNumbered(ops: readonly KvOp[]): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    // Closing or closed: LevelDB's not-open error, before anything reaches the journal.
    if (this.closing || this.db.status !== "open") {
      throw Object.assign(new Error("Database is not open"), { code: "LEVEL_DATABASE_NOT_OPEN" });
    }
    const number = this.commits + 1;
    const numbered = [...ops, { type: "put", key: keys.commitCount, value: json(number) }] as KvOp[];
    const length = journalRecordBytes(numbered);
    try {
      if (length > this.space.maxRecordBytes) await this.writeAround(numbered, number);
      else await this.writeJournaled(numbered, number, length);
    } catch (error) {
      // Whether the commit reached the journal is unknown: the reopen's replay settles it.
      this.failure = error;
      throw error;
    }
    this.commits = number;
  }

  private async writeJournaled(numbered: KvOp[], number: number, length: number): Promise<void> {
    const place = this.space.place(length);
    if (place.mustCheckpoint > this.checkpointed) await this.checkpointing.catch(() => {});
    if (place.mustCheckpoint > this.checkpointed) await this.checkpoint();
    await this.journal.write(encodeJournalRecord(this.journal.salt, number, numbered), place.offset);
    this.space.written(place, number);
    await levelBatch(this.db, numbered, NO_SYNC);
    // Free the half just left while the other one fills; its failure shows at the next wait.
    if (place.leavesHalf) this.checkpoint().catch(() => {});
  }

  /**
   * A commit too large for the journal: made durable by checkpoints on either side of it. The one
   * before leaves no journal record after the checkpoint, so a crash before the one after finds
   * LevelDB with or without this commit and nothing to replay, never LevelDB ahead of the journal.
   */
  private async writeAround(numbered: KvOp[], number: number): Promise<void> {
    await this.checkpoint();
    await levelBatch(this.db, numbered, NO_SYNC);
    this.commits = number;
    await this.checkpoint();
  }

  /**
   * Makes every commit acknowledged so far durable in LevelDB and records it in the witness.
   * Checkpoints run one at a time; a caller waits for the one in progress and, if that does not
   * cover what it needs, for one more. A failed checkpoint fails the backend until reopened: Linux
   * reports a failed writeback to one fdatasync only, so a retry on a new handle could "succeed"
   * over pages that never reached the disk. Reopening turns LevelDB's logs into synced tables from
   * what the kernel still holds, and replays the journal.
   */
  private checkpoint(): Promise<void> {
    const run = this.checkpointing
      .catch(() => {})
      .then(async () => {
        if (this.failure !== undefined) throw this.failure;
        const upTo = this.commits;
        if (upTo <= this.checkpointed) return;
        try {
          await this.syncLogs(this.path);
          await this.witness.checkpoint(upTo);
        } catch (error) {
          this.failure ??= error;
          throw error;
        }
        this.checkpointed = Math.max(this.checkpointed, upTo);
      });
    this.checkpointing = run;
    return run;
  }

  entries(range: KvRange): Promise<Array<[string, Uint8Array]>> {
    return this.db.iterator(toLevelRange(range)).all();
  }

  values(range: KvRange): Promise<Uint8Array[]> {
    return this.db.values(toLevelRange(range)).all();
  }

  compact(range: { readonly gte: string; readonly lt: string }): Promise<void> {
    return this.db.compactRange(range.gte, range.lt);
  }

  /**
   * Checkpoints and says so in the witness (so the next open need not scan the journal) unless a
   * write failed, then closes.
   */
  async close(): Promise<void> {
    this.closing = true;
    await this.writing.catch(() => {});
    try {
      if (this.failure === undefined) {
        await this.checkpoint();
        await this.witness.closed(this.commits);
      }
    } finally {
      await this.closeFiles();
    }
  }

  /**
   * LevelDB keeps a failed write's error (say ENOSPC) and refuses every later write until the
   * database is opened again. Reopening replays the journal, so what was durable stays.
   */
  async reopen(): Promise<void> {
    await this.writing.catch(() => {});
    await this.closeFiles();
    const opened = await openChecked(this.path, this.journalBytes, this.syncLogs);
    this.db = opened.db;
    this.witness = opened.witness;
    this.journal = opened.journal;
    this.space = new JournalSpace(JOURNAL_DATA_START, opened.journal.size);
    this.commits = opened.commits;
    this.checkpointed = opened.commits;
    this.checkpointing = Promise.resolve();
    this.failure = undefined;
    this.closing = false;
  }

  private async closeFiles(): Promise<void> {
    await this.checkpointing.catch(() => {});
    await this.witness.close().catch(() => {});
    await this.journal.close().catch(() => {});
    await this.db.close();
  }
}

/**
 * Makes every LevelDB batch written so far durable: fdatasync of each of LevelDB's log files (the
 * current one, and the previous one while its memtable is still being turned into a table). A
 * batch is in the kernel once written (LevelDB flushes its log per record), and a log is deleted
 * only after its memtable is in a synced table recorded in a synced manifest, so a log gone by the
 * time it is opened needs nothing. Nothing here goes through LevelDB's writer queue or waits for a
 * memtable flush.
 */
async function syncLevelLogs(path: string): Promise<void> {
  for (const name of await readdir(path)) {
    if (!/^\d+\.log$/.test(name)) continue;
    let file: FileHandle;
    try {
      file = await open(join(path, name), "r");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw error;
    }
    try {
      await file.datasync();
    } finally {
      await file.close();
    }
  }
  // The directory too: a log made at a memtable switch is named durably only at LevelDB's next
  // manifest sync, and POSIX does not promise a new file's name with its fdatasync.
  await syncDirectory(path);
}

const json = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value), "utf8");

const NO_SYNC = { sync: false } as const;

/**
 * A batch through classic-level's own `_batch` (abstract-level's implementer API)
 * rather than the public `batch`, whose per-op normalization (a clone of every op with the options
 * spread in, encoding lookups, hook and event plumbing we do not use) cost ~9 µs of event-loop time
 * per op: 170 µs against 30–60 µs for a 14-op group commit, and 0.5–0.65 ms against 0.3–0.4 ms until
 * durable. The binding reads only `type`, `key` and `value`, converting strings to UTF-8 as the
 * public path's utf8/view encodings do, so the bytes written are the same. A database that is not
 * open goes the public way, which refuses with LEVEL_DATABASE_NOT_OPEN rather than reach the binding.
 */
function levelBatch(db: Db, ops: readonly KvOp[], options: { sync: boolean }): Promise<void> {
  if (db.status !== "open") return db.batch(ops as KvOp[], options);
  return (
    db as unknown as { _batch(ops: readonly KvOp[], options: { sync: boolean }): Promise<void> }
  )._batch(ops, options);
}

/**
 * Opens LevelDB, replays the journal into it, checks nothing acknowledged is missing, checkpoints
 * (so the whole journal is free again) and opens the witness and the journal for writing. A store
 * made before the journal existed gets one here.
 */
async function openChecked(
  path: string,
  journalBytes: number,
  syncLogs: (path: string) => Promise<void>,
): Promise<Opened> {
  const db = await openDb(path);
  try {
    const witness = await readCommitWitness(path);
    const levelCommits = await readLevelCommitCount(db);
    // Before the replay: LevelDB behind the checkpoint lost commits the journal no longer holds.
    const check = decideCommitCheck(path, commitWitnessPath(path), levelCommits, witness);
    if (check.kind === "refuse") throw new StoreRefusedError(check.reason);
    // Closed cleanly at the count LevelDB holds: the journal has nothing newer, LevelDB is durable.
    const clean = witness.kind === "acked" && witness.clean === true && witness.acked === levelCommits;
    let commits = levelCommits;
    if (!clean) {
      const journal = await readJournal(path);
      commits = await replayJournal(db, path, witness, journal);
      await syncLogs(path);
      if (journal.kind === "missing") await createJournal(path, journalBytes);
    }
    const journal = await openJournal(path);
    const opened = await CommitWitness.open(path, commits).catch(async (error: unknown) => {
      await journal.close().catch(() => {});
      throw error;
    });
    return { db, witness: opened, journal, commits };
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
}

/** The journal for writing; after a clean close it was not read, so a gone one is refused here. */
async function openJournal(path: string): Promise<JournalFile> {
  try {
    return await JournalFile.open(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw journalMissing(path);
    throw error;
  }
}

/**
 * Writes the journal's commits after the checkpoint back into LevelDB (decide-journal-replay.ts
 * says which, or refuses) and returns the commit count LevelDB then holds. Used by `axond verify`
 * on its scratch copy too.
 */
export async function replayJournal(
  db: Db,
  path: string,
  witness: WitnessReading,
  journal: JournalReading,
): Promise<number> {
  const levelCommits = await readLevelCommitCount(db);
  if (journal.kind === "damaged") throw journalDamaged(path, journal.detail);
  if (journal.kind === "missing") {
    if (witness.kind === "acked" && witness.journaled) throw journalMissing(path);
    return levelCommits;
  }
  // No witness (moved aside to accept a loss): LevelDB's own count is the best base there is.
  const checkpoint = witness.kind === "acked" ? witness.acked : levelCommits;
  const decision = decideJournalReplay({
    journalPath: journalPath(path),
    checkpoint,
    levelCommits,
    found: journal.records.map((found) => found.record.number),
  });
  if (decision.kind === "refuse") throw new StoreRefusedError(decision.reason);
  if (decision.numbers.length === 0) return levelCommits;
  const byNumber = new Map(journal.records.map((found) => [found.record.number, found.record]));
  for (const number of decision.numbers) await levelBatch(db, byNumber.get(number)!.ops, NO_SYNC);
  return decision.numbers[decision.numbers.length - 1]!;
}

async function openDb(path: string): Promise<Db> {
  const entries = await readdir(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  const decision = decideStoreOpen(path, entries);
  if (decision.kind === "refuse") throw new StoreRefusedError(decision.reason);
  const create = decision.kind === "create";
  const db: Db = new ClassicLevel<string, Uint8Array>(path, {
    keyEncoding: "utf8",
    valueEncoding: "view",
    createIfMissing: create,
    errorIfExists: create,
  });
  await db.open();
  return db;
}

function toLevelRange(range: KvRange) {
  return {
    ...(range.gt !== undefined && { gt: range.gt }),
    ...(range.gte !== undefined && { gte: range.gte }),
    ...(range.lt !== undefined && { lt: range.lt }),
    reverse: range.reverse ?? false,
    limit: range.limit ?? -1,
  };
}
