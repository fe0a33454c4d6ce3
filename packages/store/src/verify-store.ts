import { copyFile, link, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClassicLevel } from "classic-level";
import { replayJournal } from "./classic-level-backend.js";
import { COMMIT_WITNESS_FILE, commitWitnessPath, readCommitWitness } from "./commit-witness.js";
import { decideCommitCheck, type WitnessReading } from "./decide-commit-check.js";
import { decideStoreOpen } from "./decide-store-open.js";
import { chunkFirstSequence, chunkLastSequence, chunkProblem } from "./event-codec.js";
import { JOURNAL_FILE, readJournal } from "./journal-file.js";
import { keys } from "./keys.js";
import type { KvRange } from "./kv-backend.js";
import { readLevelCommitCount } from "./level-commit-count.js";
import { sequenceOfKey } from "./read-chunks.js";
import type { VerifyProblem, VerifyReport } from "./verify-report.js";

type Db = ClassicLevel<string, Uint8Array>;

export type VerifyOutcome =
  | { readonly kind: "report"; readonly report: VerifyReport }
  /** `storePath` is not a store at all (missing, not a directory, no database in it). */
  | { readonly kind: "not-a-store"; readonly message: string };

const NOTES = [
  "LevelDB writes whenever it opens a database (it turns its log into a table and writes a new " +
    "manifest), so the scan ran on a scratch copy; the store itself was only read",
  "classic-level offers no paranoid_checks or verify_checksums, so LevelDB's own block checksums " +
    "were not checked; every chunk's CRC-32, the sequence contiguity and the head records were",
];

/**
 * Scans a stopped store for damage without writing to it: the refusal reasons of opening it (missing
 * CURRENT, lost acknowledged commits), then every live axon's chunks (checksum, contiguity from 1,
 * chunk key against content) and its high-water record against the last event found.
 */
export async function verifyStore(storePath: string): Promise<VerifyOutcome> {
  let entries: string[];
  try {
    entries = await readdir(storePath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { kind: "not-a-store", message: `${storePath} does not exist` };
    if (code === "ENOTDIR") return { kind: "not-a-store", message: `${storePath} is not a directory` };
    throw error;
  }
  const decision = decideStoreOpen(storePath, entries);
  if (decision.kind === "create") {
    return { kind: "not-a-store", message: `${storePath} holds no store` };
  }
  const problems: VerifyProblem[] = [];
  const counts = { axons: 0, chunks: 0, events: 0 };
  let levelCommits: number | undefined;
  let witness: WitnessReading | undefined;
  let journalReplayed: number | undefined;
  if (decision.kind === "refuse") {
    problems.push({ what: decision.reason });
  } else {
    witness = await readCommitWitness(storePath);
    const scratch = await mkdtemp(join(tmpdir(), "openaxon-verify-"));
    let db: Db | undefined;
    try {
      await copyStore(storePath, entries, scratch);
      db = new ClassicLevel<string, Uint8Array>(scratch, {
        keyEncoding: "utf8",
        valueEncoding: "view",
        createIfMissing: false,
      });
      try {
        await db.open();
      } catch (error) {
        problems.push({ what: `LevelDB cannot open the store: ${describe(error)}` });
        db = undefined;
      }
      if (db) {
        levelCommits = await readLevelCommitCount(db);
        // As at open: LevelDB behind the checkpoint first, then the journal's commits written back.
        const check = decideCommitCheck(storePath, commitWitnessPath(storePath), levelCommits, witness);
        if (check.kind === "refuse") problems.push({ what: check.reason });
        try {
          const replayed = await replayJournal(db, storePath, witness, await readJournal(storePath));
          journalReplayed = replayed - levelCommits;
          levelCommits = replayed;
        } catch (error) {
          problems.push({ what: describe(error) });
        }
        await scanAxons(db, problems, counts);
      }
    } finally {
      await db?.close().catch(() => {});
      await rm(scratch, { recursive: true, force: true });
    }
  }
  return {
    kind: "report",
    report: {
      storePath,
      clean: problems.length === 0,
      ...counts,
      ...(levelCommits === undefined ? {} : { levelCommits }),
      ...(witness === undefined ? {} : { witness }),
      ...(journalReplayed === undefined ? {} : { journalReplayed }),
      problems,
      notes: NOTES,
    },
  };
}

/**
 * Table files never change once written, so they are hard-linked (copied across file systems);
 * everything LevelDB may rewrite or append to is copied. The lock, the witness and the journal are
 * left behind.
 */
async function copyStore(from: string, entries: readonly string[], to: string): Promise<void> {
  for (const name of entries) {
    // The journal is read from the store itself and replayed into the copy.
    if (name === "LOCK" || name.startsWith(COMMIT_WITNESS_FILE) || name.startsWith(JOURNAL_FILE)) continue;
    if (/\.(ldb|sst)$/.test(name)) {
      await link(join(from, name), join(to, name)).catch(() => copyFile(join(from, name), join(to, name)));
    } else {
      await copyFile(join(from, name), join(to, name));
    }
  }
}

interface AxonMeta {
  id: string;
  name: string;
  deleted?: boolean;
}

async function scanAxons(
  db: Db,
  problems: VerifyProblem[],
  counts: { axons: number; chunks: number; events: number },
): Promise<void> {
  let metas: AxonMeta[];
  try {
    metas = (await db.values(keys.axonRange).all()).map((bytes) => parse<AxonMeta>(bytes));
  } catch (error) {
    problems.push({ what: `the axon list cannot be read: ${describe(error)}` });
    return;
  }
  for (const meta of metas) {
    if (meta.deleted) continue;
    counts.axons++;
    await scanAxon(db, meta, problems, counts);
  }
}

/** Walks one axon's chunks in order; each problem names the sequences it affects. */
async function scanAxon(
  db: Db,
  meta: AxonMeta,
  problems: VerifyProblem[],
  counts: { chunks: number; events: number },
): Promise<void> {
  const axon = { axonId: meta.id, axonName: meta.name };
  const report = (fromSequence: number, toSequence: number | undefined, what: string) =>
    problems.push({ ...axon, fromSequence, ...(toSequence === undefined ? {} : { toSequence }), what });
  // Events below the trim line (keys.trimLine) were removed by retention on purpose: the chunks
  // start at or below it (one may straddle it), not at 1.
  const trimBytes = await db.get(keys.trimLine(meta.id)).catch(() => undefined);
  const line = trimBytes ? parse<{ firstSequence: number }>(trimBytes).firstSequence : 1;
  let expected = line;
  let started = false;
  /** A damaged chunk's first sequence, until the next intact chunk shows where it ended. */
  let damagedFrom: number | undefined;
  let damageWhat = "";
  const closeDamage = (nextFirst: number | undefined) => {
    if (damagedFrom === undefined) return;
    report(damagedFrom, nextFirst === undefined ? undefined : nextFirst - 1, damageWhat);
    damagedFrom = undefined;
  };
  let range: KvRange & { lt: string } = { gt: keys.event(meta.id, 0), lt: keys.eventsEnd(meta.id) };
  try {
    for (;;) {
      const page = await db.iterator({ ...range, limit: 256 }).all();
      for (const [key, value] of page) {
        counts.chunks++;
        const at = sequenceOfKey(key);
        if (!started && at <= expected) expected = at;
        started = true;
        const problem = chunkProblem(value);
        if (problem !== undefined) {
          closeDamage(at);
          damagedFrom = at;
          damageWhat = `the chunk at ${key} ${problem}`;
          expected = at + 1;
          continue;
        }
        if (damagedFrom !== undefined) closeDamage(at);
        else if (at > expected) report(expected, at - 1, `events ${expected}..${at - 1} are missing`);
        else if (at < expected) report(at, expected - 1, `chunks overlap at event ${at}`);
        const first = chunkFirstSequence(value);
        const last = chunkLastSequence(value);
        if (first !== at) report(at, last, `the chunk at ${key} says it starts at ${first}`);
        counts.events += last - first + 1;
        expected = last + 1;
      }
      if (page.length < 256) break;
      range = { gt: page[page.length - 1]![0], lt: range.lt };
    }
  } catch (error) {
    closeDamage(undefined);
    report(expected, undefined, `LevelDB cannot read the axon's events from here on: ${describe(error)}`);
    return;
  }
  const found = Math.max(expected, line) - 1;
  const headBytes = await db.get(keys.head(meta.id)).catch(() => undefined);
  const head = headBytes ? parse<number>(headBytes) : undefined;
  // A damaged last chunk runs to the head record as far as anyone can tell.
  const endedDamaged = damagedFrom !== undefined;
  closeDamage(head !== undefined && head >= found ? head + 1 : undefined);
  if (endedDamaged || head === undefined || head === found) return;
  if (head > found) {
    report(found + 1, head, `acknowledged up to ${head} (its head record) but the events end at ${found}`);
  } else {
    report(head + 1, found, `events after the recorded head ${head} are on disk (up to ${found})`);
  }
}

const parse = <T>(bytes: Uint8Array): T => JSON.parse(Buffer.from(bytes).toString("utf8")) as T;

function describe(error: unknown): string {
  const e = error as { message?: string; cause?: { message?: string } };
  return [e?.message, e?.cause?.message].filter(Boolean).join(": ") || String(error);
}
