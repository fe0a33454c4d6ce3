import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { bundleFromSources, readPrebuilt, writeConsoleBundle } from "./bundle-console.js";

describe("the prebuilt console bundle (what an installed package serves)", () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it("reads back exactly what bundling the sources serves", async () => {
    const dir = await mkdtemp(join(tmpdir(), "console-bundle-"));
    dirs.push(dir);
    await writeConsoleBundle(dir);
    expect((await readdir(dir)).sort()).toEqual(["console.css", "console.js"]);

    const prebuilt = await readPrebuilt(dir);
    const fresh = await bundleFromSources();
    expect([...prebuilt.keys()].sort()).toEqual(["/assets/console.css", "/assets/console.js"]);
    for (const [path, file] of fresh) {
      expect(prebuilt.get(path)?.contentType).toBe(file.contentType);
      expect(prebuilt.get(path)?.body.equals(file.body)).toBe(true);
    }
  }, 60_000);
});
