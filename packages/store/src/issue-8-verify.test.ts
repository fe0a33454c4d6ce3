import { cp, mkdir, mkdtemp, open, readdir, readFile, rm, stat, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seededRng } from "@openaxon/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openClassicLevelLogStore } from "./open-classic-level-log-store.js";
import { testClock, userEvent } from "./test-support/temp-store.js";
import { formatVerifyReport, type VerifyReport } from "./verify-report.js";
import { verifyStore } from "./verify-store.js";

const APPENDS = 12;
/** Hex noise after a marker: snappy keeps it literal, so the marker can be found in a table file. */
const payload = (axon: string, n: number) => {
  let x = n * 2654435761 + axon.length;
  let noise = "";
  for (let i = 0; i < 64; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    noise += (x >>> 24).toString(16).padStart(2, "0");
  }
  return { text: `MARK-${axon}-${n}-${noise}` };
};

let root: string;
let path: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "openaxon-verify-test-"));
  path = join(root, "store");
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const open_ = (seed: number) => openClassicLevelLogStore({ path, clock: testClock(), rng: seededRng(seed) });

/** Two axons with APPENDS one-event appends each, closed; `tables` moves them from the log to tables. */
async function writeStore(options: { tables: boolean }) {
  const store = await open_(1);
  const ids: Record<string, string> = {};
  for (const name of ["alpha", "beta"]) {
    const axon = await store.createAxon({ name, labels: {} });
    ids[name] = axon.id;
    for (let n = 1; n <= APPENDS; n++) await store.append(axon.id, [userEvent(payload(name, n))]);
  }
  await store.close();
  if (options.tables) await (await open_(2)).close();
  return ids as { alpha: string; beta: string };
}

async function report(): Promise<VerifyReport> {
  const outcome = await verifyStore(path);
  if (outcome.kind !== "report") throw new Error(outcome.message);
  return outcome.report;
}

/** Names, sizes and mtimes of the store's files: what verify must leave alone. */
async function snapshot() {
  const names = (await readdir(path)).sort();
  return Promise.all(
    names.map(async (name) => {
      const s = await stat(join(path, name));
      return { name, size: s.size, mtimeMs: s.mtimeMs };
    }),
  );
}

// Issue 8 item 3: `axond verify` scans everything and reports, without writing to the store.
describe("issue 8: verifyStore", () => {
  it("reports a sound store clean, counting what it checked, and changes nothing", async () => {
    await writeStore({ tables: true });
    const before = await snapshot();
    const r = await report();
    expect(r.problems).toEqual([]);
    expect(r.clean).toBe(true);
    expect(r).toMatchObject({ axons: 2, events: 2 * APPENDS, chunks: 2 * APPENDS });
    expect(formatVerifyReport(r)).toMatch(/^OK: 2 axons, 24 chunks, 24 events checked/m);
    expect(await snapshot()).toEqual(before);
  });

  it("names the axon and sequence of a chunk whose bytes flipped in a table file", async () => {
    const ids = await writeStore({ tables: true });
    const tables = (await readdir(path)).filter((name) => name.endsWith(".ldb"));
    // Snappy may encode any short repeat as a back reference: look for a literal run of the noise.
    const noise = payload("beta", 7).text.slice("MARK-beta-7-".length);
    let flipped = false;
    for (const table of tables) {
      const bytes = await readFile(join(path, table));
      for (let i = 0; i + 12 <= noise.length && !flipped; i++) {
        const at = bytes.indexOf(Buffer.from(noise.slice(i, i + 12)));
        if (at < 0) continue;
        const file = await open(join(path, table), "r+");
        await file.write(Buffer.from([bytes[at + 6]! ^ 0x01]), 0, 1, at + 6);
        await file.close();
        flipped = true;
      }
    }
    expect(flipped).toBe(true);

    const r = await report();
    expect(r.clean).toBe(false);
    expect(r.problems).toEqual([
      expect.objectContaining({ axonId: ids.beta, axonName: "beta", fromSequence: 7, toSequence: 7 }),
    ]);
    expect(r.problems[0]!.what).toMatch(/checksum mismatch/);
    expect(formatVerifyReport(r)).toContain(`DAMAGED axon "beta" ${ids.beta} sequences 7..7`);
  });

  it("reports the acknowledged commits a LevelDB gone back to an older state lost", async () => {
    const ids = await writeStore({ tables: false });
    const older = join(root, "older");
    await cp(path, older, { recursive: true });
    const store = await open_(3);
    for (let n = APPENDS + 1; n <= APPENDS + 3; n++)
      await store.append(ids.alpha, [userEvent(payload("alpha", n))]);
    await store.close();
    // LevelDB's files from before those appends (a restored snapshot, a lying disk); the witness
    // and the journal stay.
    for (const name of await readdir(path)) if (!name.startsWith("OPENAXON-")) await rm(join(path, name));
    for (const name of await readdir(older)) {
      if (!name.startsWith("OPENAXON-") && name !== "LOCK") await cp(join(older, name), join(path, name));
    }
    const before = await snapshot();

    const r = await report();
    expect(r.clean).toBe(false);
    expect(r.problems.some((p) => p.axonId === undefined && /lost acknowledged writes/.test(p.what))).toBe(
      true,
    );
    expect(r.levelCommits).toBe((r.witness as { acked: number }).acked - 3);
    expect(await snapshot()).toEqual(before);
  });

  it("replays the journal into its scratch copy after a crash, as the next open will", async () => {
    const store = await open_(1);
    const axon = await store.createAxon({ name: "alpha", labels: {} });
    for (let n = 1; n <= APPENDS; n++) await store.append(axon.id, [userEvent(payload("alpha", n))]);
    // What a crash leaves (LevelDB's log is in the kernel), then a power cut's torn log tail.
    const image = join(root, "image");
    await cp(path, image, { recursive: true });
    await store.close();
    await rm(path, { recursive: true });
    await cp(image, path, { recursive: true });
    const logs = (await readdir(path)).filter((name) => /^\d+\.log$/.test(name)).sort();
    const newest = join(path, logs[logs.length - 1]!);
    const file = await open(newest, "r+");
    await file.truncate((await stat(newest)).size - 2500);
    await file.close();
    const before = await snapshot();

    const r = await report();
    expect(r.problems).toEqual([]);
    expect(r.clean).toBe(true);
    expect(r.events).toBe(APPENDS);
    expect(r.journalReplayed).toBeGreaterThanOrEqual(2);
    expect(formatVerifyReport(r)).toMatch(/\d+ of them from the journal \(the next open replays them\)/);
    expect(await snapshot()).toEqual(before);
  });

  it("reports a store whose CURRENT is gone", async () => {
    await writeStore({ tables: true });
    await unlink(join(path, "CURRENT"));
    const r = await report();
    expect(r.clean).toBe(false);
    expect(r.problems[0]!.what).toMatch(/CURRENT file is missing/);
  });

  it("says when there is no store to verify", async () => {
    expect(await verifyStore(path)).toMatchObject({ kind: "not-a-store" });
    await mkdir(path);
    expect(await verifyStore(path)).toMatchObject({ kind: "not-a-store" });
  });
});
