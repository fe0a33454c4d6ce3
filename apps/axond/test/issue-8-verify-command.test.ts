import { createHash } from "node:crypto";
import { cp, mkdir, mkdtemp, open, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDataDir, STORE_SUBDIR } from "../src/data-dir.js";
import { runVerifyCommand } from "../src/verify-command.js";
import { runAxondToExit } from "./support/axond-process.js";

let tmp: string;
let dataDir: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), "axond-verify-"));
  dataDir = join(tmp, "data");
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Incompressible, so a table file holds it as a literal run that the test can find. */
const noise = (n: number) => createHash("sha256").update(`event ${n}`).digest("hex");
const event = (text: string) => ({ origin: 3 as const, source: "t", eventType: "e", payload: text });

/** A data dir as axond leaves it: an axon "build" with 10 one-event appends, closed cleanly. */
async function writeDataDir(): Promise<string> {
  const store = await openDataDir(dataDir);
  const axon = await store.createAxon({ name: "build", labels: {} });
  for (let n = 1; n <= 10; n++) await store.append(axon.id, [event(noise(n))]);
  await store.close();
  return axon.id;
}

async function verifyInProcess(argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runVerifyCommand({
    argv,
    env: {},
    cwd: tmp,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

// Issue 8 item 3: `axond verify --data-dir D` scans everything and reports.
describe("issue 8: axond verify", { timeout: 60_000 }, () => {
  it("the real axond exits 0 on a sound data dir and 1 with a JSON report once LevelDB lost commits", async () => {
    const axonId = await writeDataDir();
    const clean = await runAxondToExit({ args: ["verify", "--data-dir", dataDir] });
    expect(clean.stderr).toBe("");
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain(`data dir ${dataDir}`);
    expect(clean.stdout).toMatch(/^OK: 1 axons, 10 chunks, 10 events checked/m);
    expect(clean.stdout).toMatch(/witness: \d+ checkpointed/);

    const store = join(dataDir, STORE_SUBDIR);
    const older = join(tmp, "older");
    await cp(store, older, { recursive: true });
    const more = await openDataDir(dataDir);
    await more.append(axonId, [event(noise(11))]);
    await more.close();

    // LevelDB's files from before the last append (a restored snapshot, a lying disk); the
    // witness and the journal stay, and know of the append.
    for (const name of await readdir(store)) if (!name.startsWith("OPENAXON-")) await rm(join(store, name));
    for (const name of await readdir(older)) {
      if (!name.startsWith("OPENAXON-") && name !== "LOCK") await cp(join(older, name), join(store, name));
    }

    const damaged = await runAxondToExit({ args: ["verify", "--data-dir", dataDir, "--json"] });
    expect(damaged.code).toBe(1);
    const report = JSON.parse(damaged.stdout);
    expect(report).toMatchObject({ dataDir, clean: false, axons: 1 });
    expect(report.problems[0].what).toMatch(/lost acknowledged writes/);
    expect(axonId).toMatch(/^axn/);

    // And the server refuses to start on it rather than hand the lost sequences out again.
    const start = await runAxondToExit({ args: ["--listen", "127.0.0.1:0", "--data-dir", dataDir] });
    expect(start.code).toBe(1);
    expect(start.stdout).toBe("");
    expect(start.stderr).toContain(
      `axond: refusing to open the store: the store in ${store} lost acknowledged writes`,
    );
  });

  it("the real axond exits 2 for a data dir that does not exist", async () => {
    const missing = await runAxondToExit({ args: ["verify", "--data-dir", join(tmp, "nope")] });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`axond verify: data dir ${join(tmp, "nope")} does not exist\n`);
  });

  it("names the axon and sequence of a flipped byte in a chunk", async () => {
    const axonId = await writeDataDir();
    const store = join(dataDir, STORE_SUBDIR);
    // The events are still in the write-ahead log, whose own checksum would drop the record:
    // move them into a table file first, as any restart does.
    await (await openDataDir(dataDir)).close();
    let flipped = 0;
    for (const name of (await readdir(store)).filter((n) => n.endsWith(".ldb"))) {
      const bytes = await readFile(join(store, name));
      const at = bytes.indexOf(noise(4).slice(20, 36));
      if (at < 0) continue;
      const file = await open(join(store, name), "r+");
      await file.write(Buffer.from("Y"), 0, 1, at);
      await file.close();
      flipped++;
    }
    expect(flipped).toBe(1);

    const result = await verifyInProcess(["--data-dir", dataDir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`DAMAGED axon "build" ${axonId} sequences 4..4: `);
    expect(result.stdout).toMatch(/checksum mismatch/);
    expect(result.stdout).toMatch(/^DAMAGED: 1 problem;/m);
  });

  it("exits 2 for a directory that is not a data dir and for an unknown flag", async () => {
    await mkdir(dataDir);
    const notData = await verifyInProcess(["--data-dir", dataDir]);
    expect(notData.code).toBe(2);
    expect(notData.stderr).toContain(`${dataDir} is not an axond data dir`);
    const badFlag = await verifyInProcess(["--data-dir", dataDir, "--repair"]);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/unknown option '--repair'/);
  });
});
