import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDataDir, STORE_SUBDIR } from "./data-dir.js";
import { ownerOnlyMode } from "./owner-only.js";
import { StartupError } from "./startup-error.js";

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), "axond-perms-"));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

/** Every path under `dir` (itself included) with its permission bits. */
async function modes(dir: string): Promise<Array<[string, number, boolean]>> {
  const out: Array<[string, number, boolean]> = [];
  const info = await stat(dir);
  out.push([dir, info.mode & 0o777, info.isDirectory()]);
  if (info.isDirectory()) for (const name of await readdir(dir)) out.push(...(await modes(join(dir, name))));
  return out;
}

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

// Issue 8 item 6: the data dir and the store's files were world-readable (0755 / 0644).
describe("issue 8: the data dir is owner-only", () => {
  it("a new data dir is 0700 and every file in it 0600, even under a permissive umask", async () => {
    const previous = process.umask(0o022);
    try {
      const dir = join(tmp, "data");
      const { logger } = capturingLogger();
      const store = await openDataDir(dir, logger);
      const axon = await store.createAxon({ name: "a", labels: {} });
      await store.append(axon.id, [{ origin: 3, source: "t", eventType: "e", payload: "{}" }]);
      await store.close();
      const all = await modes(dir);
      expect(all.some(([path]) => path.endsWith(".log"))).toBe(true);
      for (const [path, mode, isDir] of all) {
        if (path === join(dir, STORE_SUBDIR) || path === dir || isDir)
          expect([path, mode]).toEqual([path, 0o700]);
      }
      // Files written after the open follow the umask, which axond's main sets to 077; the ones
      // present at open (CURRENT, MANIFEST, LOCK, the WAL) are fixed by openDataDir itself.
      expect(await modeOf(join(dir, STORE_SUBDIR, "CURRENT"))).toBe(0o600);
      expect(await modeOf(join(dir, STORE_SUBDIR, "LOCK"))).toBe(0o600);
    } finally {
      process.umask(previous);
    }
  });

  it("fixes an existing world-readable data dir at start and says so in one log line", async () => {
    const dir = join(tmp, "data");
    const store = await openDataDir(dir);
    await store.close();
    await writeFile(join(dir, "secrets.json"), "{}");
    await mkdir(join(dir, "gateway"));
    await writeFile(join(dir, "gateway", "key"), "k");
    for (const [path, , isDir] of await modes(dir)) await chmod(path, isDir ? 0o755 : 0o644);

    const { logger, lines } = capturingLogger();
    const reopened = await openDataDir(dir, logger);
    await reopened.close();

    for (const [path, mode, isDir] of await modes(dir)) {
      expect([path, mode]).toEqual([path, isDir ? 0o700 : 0o600]);
    }
    const fixes = lines.filter((line) => String(line.msg).includes("owner-only"));
    expect(fixes).toHaveLength(1);
    expect(fixes[0]!.fixed).toEqual(
      expect.arrayContaining([dir, join(dir, "secrets.json"), join(dir, "gateway", "key")]),
    );
  });

  it("logs nothing when the data dir is already owner-only (under axond's umask)", async () => {
    const previous = process.umask(0o077);
    try {
      const dir = join(tmp, "data");
      await (await openDataDir(dir)).close();
      const { logger, lines } = capturingLogger();
      await (await openDataDir(dir, logger)).close();
      expect(lines.filter((line) => String(line.msg).includes("owner-only"))).toEqual([]);
    } finally {
      process.umask(previous);
    }
  });

  it("decides modes: only group/other bits or a wrong owner mode are changed; links are left alone", () => {
    expect(ownerOnlyMode("dir", 0o40755)).toBe(0o700);
    expect(ownerOnlyMode("dir", 0o40700)).toBeUndefined();
    expect(ownerOnlyMode("file", 0o100644)).toBe(0o600);
    expect(ownerOnlyMode("file", 0o100600)).toBeUndefined();
    expect(ownerOnlyMode("other", 0o120777)).toBeUndefined();
  });
});

// Issue 8 item 2, as axond reports it.
describe("issue 8: axond refuses a store that lost its CURRENT file", () => {
  it("fails to start with a message naming the problem and what to do", async () => {
    const dir = join(tmp, "data");
    const store = await openDataDir(dir);
    const axon = await store.createAxon({ name: "a", labels: {} });
    await store.append(axon.id, [{ origin: 3, source: "t", eventType: "e", payload: "{}" }]);
    await store.close();
    await rm(join(dir, STORE_SUBDIR, "CURRENT"));
    const opening = openDataDir(dir);
    await expect(opening).rejects.toBeInstanceOf(StartupError);
    await expect(opening).rejects.toThrow(/refusing to open the store: .*CURRENT file is missing.*backup/);
  });
});
