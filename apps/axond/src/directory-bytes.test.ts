import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { directoryBytes } from "./directory-bytes.js";

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test("directoryBytes sums the files below a directory", async () => {
  dir = await mkdtemp(join(tmpdir(), "dir-bytes-"));
  expect(await directoryBytes(dir)).toBe(0);
  await writeFile(join(dir, "000005.ldb"), Buffer.alloc(1000));
  await mkdir(join(dir, "sub"));
  await writeFile(join(dir, "sub", "LOG"), Buffer.alloc(24));
  expect(await directoryBytes(dir)).toBe(1024);
});
