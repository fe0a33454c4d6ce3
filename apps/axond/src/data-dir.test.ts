import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDataDir, STORE_SUBDIR } from "./data-dir.js";
import { StartupError } from "./startup-error.js";

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), "axond-data-dir-"));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("openDataDir", () => {
  it("creates missing directories and keeps data across reopen", async () => {
    const dir = join(tmp, "a", "b");
    const store = await openDataDir(dir);
    const axon = await store.createAxon({ name: "kept", labels: {} });
    await store.append(axon.id, [{ origin: 3, source: "t", eventType: "e", payload: "{}" }]);
    await store.close();
    expect((await stat(join(dir, STORE_SUBDIR))).isDirectory()).toBe(true);

    const reopened = await openDataDir(dir);
    expect((await reopened.getAxon(axon.id))?.headSequence).toBe(1);
    await reopened.close();
  });

  it("refuses a path that is a file", async () => {
    const file = join(tmp, "file");
    await writeFile(file, "x");
    await expect(openDataDir(file)).rejects.toThrow(StartupError);
    await expect(openDataDir(file)).rejects.toThrow(`data dir ${file} is not a writable directory`);
    await expect(openDataDir(join(file, "sub"))).rejects.toThrow(/is not a writable directory/);
  });

  it("says another axond is using a data dir whose store is open", async () => {
    const store = await openDataDir(tmp);
    try {
      await expect(openDataDir(tmp)).rejects.toThrow(`another axond is using ${tmp}`);
    } finally {
      await store.close();
    }
  });
});
