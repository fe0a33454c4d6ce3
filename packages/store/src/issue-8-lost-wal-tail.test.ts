import { cp, mkdtemp, open, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seededRng } from "@openaxon/core";
import { afterEach, describe, expect, it } from "vitest";
import { readCommitWitness } from "./commit-witness.js";
import { StoreRefusedError } from "./errors.js";
import { JOURNAL_FILE, readJournal } from "./journal-file.js";
import { openClassicLevelLogStore } from "./open-classic-level-log-store.js";
import { testClock, userEvent } from "./test-support/temp-store.js";

const APPENDS = 20;
const payload = (n: number) => ({ n, text: "x".repeat(1000) });

/** A store in a temp dir with APPENDS acknowledged one-event appends (one batch each), left open. */
async function writtenStore() {
  const root = await mkdtemp(join(tmpdir(), "openaxon-wal-"));
  const path = join(root, "store");
  const store = await openClassicLevelLogStore({ path, clock: testClock(), rng: seededRng(1) });
  const axon = await store.createAxon({ name: "a", labels: {} });
  for (let n = 1; n <= APPENDS; n++) {
    const result = await store.append(axon.id, [userEvent(payload(n))]);
    expect(result.lastSequence).toBe(n);
  }
  const reopen = (at = path) => openClassicLevelLogStore({ path: at, clock: testClock(), rng: seededRng(2) });
  return { root, path, store, axonId: axon.id, reopen };
}

/** Cuts `bytes` off the newest LevelDB write-ahead log in `path`, as a torn tail would. */
async function truncateNewestLog(path: string, bytes: number): Promise<void> {
  const logs = (await readdir(path)).filter((name) => /^\d+\.log$/.test(name)).sort();
  const newest = join(path, logs[logs.length - 1]!);
  const size = (await stat(newest)).size;
  expect(size).toBeGreaterThan(bytes);
  const file = await open(newest, "r+");
  await file.truncate(size - bytes);
  await file.close();
}

/** Replaces LevelDB's files in `path` with those of `image`, keeping the witness and the journal. */
async function rollBackLevelDb(path: string, image: string): Promise<void> {
  for (const name of await readdir(path)) {
    if (!name.startsWith("OPENAXON-")) await rm(join(path, name), { force: true });
  }
  for (const name of await readdir(image)) {
    if (!name.startsWith("OPENAXON-") && name !== "LOCK") await cp(join(image, name), join(path, name));
  }
}

async function readPayloads(store: Awaited<ReturnType<typeof openClassicLevelLogStore>>, axonId: string) {
  const events = await store.read(axonId, { afterSequence: 0, limit: APPENDS + 10 });
  return events.map((e) => JSON.parse(e.payload).n as number);
}

// Issue 8 item 3: LevelDB silently drops a torn write-ahead log tail on open, and the per-axon
// high-water record is in the same log, so the lost sequences were handed out again. Since issue
// 10 every commit is first in the store's own journal, so a LevelDB log cut short is made whole
// from it; a LevelDB that lost more than the journal can give back is refused.
describe("issue 8: a write-ahead log that lost acknowledged batches", () => {
  let root: string | undefined;
  afterEach(async () => {
    if (root) await rm(root, { recursive: true, force: true });
    root = undefined;
  });

  it("is made whole from the journal after a crash cut LevelDB's log short", async () => {
    const s = await writtenStore();
    root = s.root;
    // LevelDB's log is flushed to the kernel on every write, so a copy taken while the store is
    // open is what a process crash leaves; cutting its tail is what a power cut may add.
    const image = join(s.root, "crash-image");
    await cp(s.path, image, { recursive: true });
    await s.store.close();
    await truncateNewestLog(image, 3000);

    const store = await s.reopen(image);
    expect((await store.getAxon(s.axonId))?.headSequence).toBe(APPENDS);
    expect(await readPayloads(store, s.axonId)).toEqual(Array.from({ length: APPENDS }, (_, i) => i + 1));
    expect((await store.append(s.axonId, [userEvent(payload(APPENDS + 1))])).lastSequence).toBe(APPENDS + 1);
    await store.close();
  });

  it("is refused after a clean shutdown when LevelDB went back to an older state, and stays refused", async () => {
    const s = await writtenStore();
    root = s.root;
    const older = join(s.root, "older");
    await s.store.close();
    await cp(s.path, older, { recursive: true });
    const store = await s.reopen();
    for (let n = APPENDS + 1; n <= APPENDS + 5; n++) await store.append(s.axonId, [userEvent(payload(n))]);
    await store.close();
    await rollBackLevelDb(s.path, older);

    for (let attempt = 0; attempt < 2; attempt++) {
      const error = await s.reopen().then(
        (store) => store.close().then(() => undefined),
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StoreRefusedError);
      const message = (error as Error).message;
      expect(message).toContain(s.path);
      expect(message).toMatch(/lost acknowledged writes/);
      expect(message).toMatch(/5 acknowledged commits \(\d+\.\.\d+\) are gone/);
      expect(message).toMatch(/backup/);
    }
  });

  it("is refused after a crash when LevelDB went back behind the checkpoint, though the journal holds later commits", async () => {
    root = await mkdtemp(join(tmpdir(), "openaxon-wal-"));
    const path = join(root, "store");
    // The smallest journal (7 commits a half), so the second life wraps it and must checkpoint.
    const open_ = () =>
      openClassicLevelLogStore({ path, clock: testClock(), rng: seededRng(3), journalBytes: 64 * 1024 });
    const first = await open_();
    const axon = await first.createAxon({ name: "a", labels: {} });
    for (let n = 1; n <= 4; n++) await first.append(axon.id, [userEvent(payload(n))]);
    await first.close();
    const older = join(root, "older");
    await cp(path, older, { recursive: true });
    const second = await open_();
    for (let n = 5; n <= 20; n++) await second.append(axon.id, [userEvent(payload(n))]);
    const image = join(root, "crash-image");
    await cp(path, image, { recursive: true });
    await second.close();
    const witness = await readCommitWitness(image);
    expect(witness).toMatchObject({ kind: "acked" });
    expect((witness as { acked: number }).acked).toBeGreaterThan(5);
    await rollBackLevelDb(image, older);

    await expect(
      openClassicLevelLogStore({ path: image, clock: testClock(), rng: seededRng(4) }),
    ).rejects.toThrow(/lost acknowledged writes: LevelDB holds 5 commits/);
  });

  it("is refused after a crash when a journal record the replay needs is damaged", async () => {
    const s = await writtenStore();
    root = s.root;
    const image = join(s.root, "crash-image");
    await cp(s.path, image, { recursive: true });
    await s.store.close();
    const journal = await readJournal(image);
    if (journal.kind !== "read") throw new Error(`journal: ${journal.kind}`);
    const middle = journal.records[Math.floor(journal.records.length / 2)]!;
    const file = await open(join(image, JOURNAL_FILE), "r+");
    await file.write(Buffer.alloc(64, 0xa5), 0, 64, middle.offset);
    await file.close();

    const error = await s.reopen(image).then(
      (store) => store.close().then(() => undefined),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreRefusedError);
    expect((error as Error).message).toContain(join(image, JOURNAL_FILE));
    expect((error as Error).message).toMatch(
      new RegExp(`is damaged: .* but ${middle.record.number}\\.\\.${middle.record.number} are missing`),
    );
  });

  it("opens an untouched crash image and hands out the next sequence", async () => {
    const s = await writtenStore();
    root = s.root;
    const image = join(s.root, "crash-image");
    await cp(s.path, image, { recursive: true });
    await s.store.close();

    const store = await s.reopen(image);
    expect((await store.getAxon(s.axonId))?.headSequence).toBe(APPENDS);
    expect((await store.append(s.axonId, [userEvent(payload(APPENDS + 1))])).lastSequence).toBe(APPENDS + 1);
    await store.close();
  });

  it("reopens after a clean shutdown, again and again, continuing the sequence", async () => {
    const s = await writtenStore();
    root = s.root;
    await s.store.close();
    for (let round = 1; round <= 3; round++) {
      const store = await s.reopen();
      const head = APPENDS + round - 1;
      expect((await store.getAxon(s.axonId))?.headSequence).toBe(head);
      expect((await store.append(s.axonId, [userEvent(payload(head + 1))])).lastSequence).toBe(head + 1);
      await store.close();
    }
  });
});
