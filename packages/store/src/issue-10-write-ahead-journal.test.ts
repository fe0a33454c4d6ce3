import { spawn } from "node:child_process";
import { cp, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { crc32 } from "node:zlib";
import { ClassicLevel } from "classic-level";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClassicLevelBackend } from "./classic-level-backend.js";
import { commitWitnessPath, readCommitWitness } from "./commit-witness.js";
import { type FoundRecord, JOURNAL_FILE, readJournal } from "./journal-file.js";
import { keys } from "./keys.js";
import { journalCommitState } from "./test-support/journal-commits.js";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "../../..");
const child = join(here, "test-support/journal-crash-child.ts");
/** The smallest journal: 7 pages a half, so a few dozen commits go round it several times. */
const JOURNAL_BYTES = 64 * 1024;

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "openaxon-journal-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
let dirs = 0;

/** Runs the child writer from commit `first` until `acks` commits were acknowledged, then SIGKILLs it. */
async function writeThenKill(path: string, sizes: readonly number[], first: number, acks: number) {
  const proc = spawn(
    process.execPath,
    [
      "--conditions=source",
      "--import",
      "tsx",
      child,
      path,
      String(JOURNAL_BYTES),
      sizes.join(","),
      String(first),
    ],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] },
  );
  const exited = new Promise<void>((done) => proc.once("exit", () => done()));
  let acked = first - 1;
  for await (const line of createInterface({ input: proc.stdout! })) {
    acked = Number(line);
    if (acked >= first - 1 + acks) break;
  }
  proc.kill("SIGKILL");
  await exited;
  return acked;
}

/** LevelDB's commit count as the crash left it, read on a scratch copy (opening LevelDB writes). */
async function levelCommitsOf(path: string): Promise<number> {
  const scratch = `${path}-scratch`;
  await cp(path, scratch, { recursive: true });
  const db = new ClassicLevel<string, Uint8Array>(scratch, { keyEncoding: "utf8", valueEncoding: "view" });
  await db.open();
  try {
    const count = await db.get(keys.commitCount);
    return count ? Number(Buffer.from(count).toString()) : 0;
  } finally {
    await db.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Where the newest LevelDB log's synced part ends: just after the batch of the witness's
 * checkpoint. A power cut can take only what comes after. The log is read as LevelDB writes it
 * (32 KiB blocks, each record fragment behind a 7-byte header), so a batch split across blocks is
 * joined again before its m!commits put (every batch ends with one) is read.
 */
function syncedLogEnd(log: Buffer, checkpoint: number): number {
  const BLOCK = 32 * 1024;
  const marker = Buffer.from(keys.commitCount, "utf8");
  let end = 0;
  let record: Buffer[] = [];
  for (let at = 0; at + 7 <= log.length; ) {
    const room = BLOCK - (at % BLOCK);
    if (room < 7) {
      at += room;
      continue;
    }
    const length = log.readUInt16LE(at + 4);
    const type = log[at + 6]!;
    if (type === 0 || at + 7 + length > log.length) break;
    record.push(log.subarray(at + 7, at + 7 + length));
    at += 7 + length;
    // FULL (1) or LAST (4) ends a batch.
    if (type !== 1 && type !== 4) continue;
    const batch = Buffer.concat(record);
    record = [];
    const found = batch.lastIndexOf(marker);
    const value = found < 0 ? Number.NaN : Number(batch.toString("utf8", found + marker.length + 1));
    if (Number.isInteger(value) && value <= checkpoint) end = at;
  }
  return end;
}

/**
 * A power cut on top of the crash: part of LevelDB's log written since the last checkpoint gone
 * and, with `tear`, the journal write that was in flight torn: the newest record, if LevelDB had
 * not been given its batch yet (a record is written before its LevelDB batch is issued, so that is
 * the only one a cut can tear).
 */
async function cutPower(path: string, cutFraction: number, tear: boolean) {
  const inLevelDb = tear ? await levelCommitsOf(path) : 0;
  const witness = await readCommitWitness(path);
  const checkpoint = witness.kind === "acked" ? witness.acked : 0;
  const logs = (await readdir(path)).filter((name) => /^\d+\.log$/.test(name)).sort();
  const log = join(path, logs[logs.length - 1]!);
  const bytes = await readFile(log);
  const floor = syncedLogEnd(bytes, checkpoint);
  const file = await open(log, "r+");
  await file.truncate(floor + Math.floor((bytes.length - floor) * cutFraction));
  await file.close();
  if (!tear) return;
  const journal = await readJournal(path);
  if (journal.kind !== "read") throw new Error(`journal: ${journal.kind}`);
  const newest = journal.records.reduce<FoundRecord | undefined>(
    (a, b) => (a && a.record.number > b.record.number ? a : b),
    undefined,
  );
  if (!newest || newest.record.number <= inLevelDb) return;
  const journalFile = await open(join(path, JOURNAL_FILE), "r+");
  await journalFile.write(Buffer.alloc(16, 0x5a), 0, 16, newest.offset + 24);
  await journalFile.close();
}

/** What the reopened store holds: its commit count and every test key. */
async function reopened(path: string) {
  const backend = await ClassicLevelBackend.open(path);
  try {
    const count = Number(Buffer.from((await backend.get(keys.commitCount))!).toString());
    const entries = [
      ...(await backend.entries({ gte: "k!", lt: "k~" })),
      ...(await backend.entries({ gte: "n!", lt: "n~" })),
    ].map(([key, value]) => [key, Buffer.from(value).toString("hex")] as [string, string]);
    return { count, entries };
  } finally {
    await backend.close();
  }
}

// Issue 10: a commit is durable once its record is in the store's own journal (an O_DSYNC
// overwrite of pre-written blocks); LevelDB is written without sync behind it. A power cut may
// then take LevelDB's log tail, and the journal must give back every acknowledged commit.
describe("issue 10: the write-ahead journal", () => {
  it("gives back every acknowledged commit after a power cut, across laps, checkpoints and commits too big for it", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          // 40,000-byte values make commits larger than half the journal: LevelDB's own sync.
          sizes: fc.array(fc.constantFrom(100, 3_000, 40_000), { minLength: 1, maxLength: 4 }),
          lives: fc.array(
            fc.record({
              acks: fc.integer({ min: 1, max: 60 }),
              keep: fc.double({ min: 0, max: 1, noNaN: true }),
              tear: fc.boolean(),
            }),
            { minLength: 1, maxLength: 2 },
          ),
        }),
        async ({ sizes, lives }) => {
          const path = join(root, `${dirs++}`);
          let count = 0;
          for (const life of lives) {
            const acked = await writeThenKill(path, sizes, count + 1, life.acks);
            await cutPower(path, life.keep, life.tear);
            const after = await reopened(path);
            // Every commit acknowledged to the parent is there (the child may have gone on a few
            // more before the kill landed); whatever is there is whole commits, in order.
            expect(after.count).toBeGreaterThanOrEqual(acked);
            expect(after.entries).toEqual(journalCommitState(after.count, sizes));
            count = after.count;
          }
        },
      ),
      { numRuns: 8 },
    );
  }, 120_000);

  it("refuses a store whose journal is gone, and gives a store from before the journal one", async () => {
    const path = join(root, `${dirs++}`);
    const first = await ClassicLevelBackend.open(path, { journalBytes: JOURNAL_BYTES });
    await first.writeDurable([{ type: "put", key: "k!a", value: Buffer.from("1") }]);
    await first.close();
    await rm(join(path, JOURNAL_FILE));
    await expect(ClassicLevelBackend.open(path)).rejects.toThrow(
      new RegExp(`write-ahead journal ${join(path, JOURNAL_FILE)} is missing, and this store wrote one`),
    );

    // A witness as stores wrote before the journal: both slots "1 acknowledged" (state 2).
    const legacy = Buffer.alloc(4096 + 20);
    for (const at of [0, 4096]) {
      const slot = legacy.subarray(at, at + 20);
      slot.write("OAXW", 0, "latin1");
      slot.writeUInt8(2, 4);
      slot.writeBigUInt64LE(1n, 8);
      slot.writeUInt32LE(crc32(slot.subarray(0, 16)), 16);
    }
    await writeFile(commitWitnessPath(path), legacy);
    const upgraded = await ClassicLevelBackend.open(path, { journalBytes: JOURNAL_BYTES });
    expect(Buffer.from((await upgraded.get("k!a"))!).toString()).toBe("1");
    await upgraded.writeDurable([{ type: "put", key: "k!b", value: Buffer.from("2") }]);
    await upgraded.close();
    expect((await stat(join(path, JOURNAL_FILE))).size).toBe(JOURNAL_BYTES);
    expect(await readCommitWitness(path)).toEqual({ kind: "acked", acked: 2, journaled: true, clean: true });
  });

  it("refuses a journal whose header is damaged, whatever LevelDB holds", async () => {
    const path = join(root, `${dirs++}`);
    const backend = await ClassicLevelBackend.open(path, { journalBytes: JOURNAL_BYTES });
    await backend.writeDurable([{ type: "put", key: "k!a", value: Buffer.from("1") }]);
    await backend.close();
    const file = await open(join(path, JOURNAL_FILE), "r+");
    await file.write(Buffer.from([0xff]), 0, 1, 20);
    await file.close();
    await expect(ClassicLevelBackend.open(path)).rejects.toThrow(
      /journal .* is damaged \(its header is damaged\)/,
    );
  });

  it("fails the store on a failed checkpoint instead of trusting a retry, and reopens whole", async () => {
    const path = join(root, `${dirs++}`);
    let failures = 0;
    const syncLevelLogs = async () => {
      if (failures-- > 0) throw Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" });
    };
    const backend = await ClassicLevelBackend.open(path, { journalBytes: JOURNAL_BYTES, syncLevelLogs });
    failures = 1;
    const put = (n: number) =>
      backend.writeDurable([{ type: "put", key: `k!${n}`, value: Buffer.from(String(n)) }]);
    // Filling the first half starts a checkpoint, which fails; from then on every write is refused
    // (a later fdatasync could report success over pages that never reached the disk).
    let acked = 0;
    let refused: unknown;
    for (let n = 1; n <= 20 && refused === undefined; n++) {
      await put(n).then(
        () => {
          acked = n;
        },
        (error: unknown) => {
          refused = error;
        },
      );
    }
    expect(refused).toMatchObject({ code: "EIO" });
    expect(acked).toBeGreaterThan(0);
    await backend.close();
    // Not closed cleanly, so the next open reads and replays the journal, and syncs again.
    expect(await readCommitWitness(path)).not.toMatchObject({ clean: true });
    await backend.reopen();
    for (let n = 1; n <= acked; n++)
      expect(Buffer.from((await backend.get(`k!${n}`))!).toString()).toBe(String(n));
    await put(acked + 1);
    await backend.close();
  });
});
