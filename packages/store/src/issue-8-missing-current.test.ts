import { readdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { StoreRefusedError } from "./errors.js";
import { Origin } from "./log-store.js";
import { tempClassicLevelStore } from "./test-support/temp-store.js";

const event = (payload: string) => ({ origin: Origin.User, source: "t", eventType: "e", payload });

// Issue 8 item 2: with createIfMissing LevelDB re-created a database whose CURRENT file was gone,
// deleting the old tables; the store then served an empty log.
describe("issue 8: a store whose CURRENT file is missing", () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await dispose?.();
    dispose = undefined;
  });

  it("is refused, with a message saying what is wrong, and its files are left untouched", async () => {
    const temp = await tempClassicLevelStore();
    dispose = temp.dispose;
    const axon = await temp.store.createAxon({ name: "a", labels: {} });
    await temp.store.append(axon.id, [event("one"), event("two")]);
    await temp.store.close();
    // Reopen and close once more so LevelDB compacts the WAL into a table file.
    await (await temp.reopen()).close();
    await rm(join(temp.path, "CURRENT"));
    const before = await snapshot(temp.path);
    expect([...before.keys()].some((name) => name.endsWith(".ldb") || name.endsWith(".log"))).toBe(true);

    const opening = temp.reopen();
    await expect(opening).rejects.toBeInstanceOf(StoreRefusedError);
    await expect(opening).rejects.toThrow(/CURRENT file is missing.*restore the directory from a backup/i);
    expect(await snapshot(temp.path)).toEqual(before);
  });

  it("still opens a store that has CURRENT, with its events", async () => {
    const temp = await tempClassicLevelStore();
    dispose = temp.dispose;
    const axon = await temp.store.createAxon({ name: "a", labels: {} });
    await temp.store.append(axon.id, [event("kept")]);
    await temp.store.close();
    const reopened = await temp.reopen();
    const events = await reopened.read(axon.id, { afterSequence: 0, limit: 10 });
    await reopened.close();
    expect(events.map((e) => e.payload)).toEqual(["kept"]);
  });
});

/** Every file of the directory with its size and content, to show nothing was changed. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of (await readdir(dir)).sort()) {
    if (name === "LOG" || name === "LOG.old" || name === "LOCK") continue;
    const path = join(dir, name);
    out.set(name, `${(await stat(path)).size}:${(await readFile(path)).toString("base64")}`);
  }
  return out;
}
