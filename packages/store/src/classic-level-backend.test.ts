import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClassicLevel } from "classic-level";
import { afterEach, describe, expect, it } from "vitest";
import { ClassicLevelBackend } from "./classic-level-backend.js";

const dirs: string[] = [];
async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "openaxon-level-backend-"));
  dirs.push(dir);
  return join(dir, "store");
}

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe("ClassicLevelBackend.writeDurable", () => {
  it("writes the same bytes LevelDB's public API reads back: UTF-8 keys, binary values, deletes", async () => {
    const path = await freshDir();
    const backend = await ClassicLevelBackend.open(path);
    const binary = Uint8Array.from([0, 255, 1, 128, 10, 13]);
    await backend.writeDurable([
      { type: "put", key: "e!ünïcødé!1", value: binary },
      { type: "put", key: "e!ünïcødé!2", value: Buffer.from("two") },
      { type: "put", key: "gone", value: Buffer.from("soon") },
    ]);
    await backend.writeDurable([{ type: "del", key: "gone" }]);
    await backend.close();

    // Read with a plain classic-level handle: what a later open, `axond verify` or a backup sees.
    const db = new ClassicLevel<string, Uint8Array>(path, { keyEncoding: "utf8", valueEncoding: "view" });
    await db.open();
    try {
      const entries = await db.iterator({ gte: "e!", lt: "e~" }).all();
      expect(entries.map(([k, v]) => [k, [...v]])).toEqual([
        ["e!ünïcødé!1", [...binary]],
        ["e!ünïcødé!2", [...Buffer.from("two")]],
      ]);
      expect(await db.get("gone")).toBeUndefined();
    } finally {
      await db.close();
    }
  });

  it("refuses a write after close with LevelDB's not-open error instead of reaching the binding", async () => {
    const backend = await ClassicLevelBackend.open(await freshDir());
    await backend.close();
    await expect(
      backend.writeDurable([{ type: "put", key: "k", value: Buffer.from("v") }]),
    ).rejects.toMatchObject({
      code: "LEVEL_DATABASE_NOT_OPEN",
    });
  });
});
