import { mkdtemp, realpath, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connectAxonClient } from "./support/axon-client.js";
import { runAxondToExit, startAxondProcess } from "./support/axond-process.js";

/** What `npx axond` runs: the bin npm links into node_modules/.bin from package.json. */
const BIN = fileURLToPath(new URL("../../../node_modules/.bin/axond", import.meta.url));

let cwd: string;
beforeEach(async () => {
  cwd = await realpath(await mkdtemp(join(tmpdir(), "axond-bin-")));
});
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe("the axond bin (npx axond)", { timeout: 60_000 }, () => {
  it("runs from the TypeScript sources with ./.openaxon in the cwd as the default data dir", async () => {
    const axond = await startAxondProcess({ command: BIN, args: ["--listen", "127.0.0.1:0"], cwd });
    expect(axond.dataDir).toBe(join(cwd, ".openaxon"));
    expect((await stat(axond.dataDir)).isDirectory()).toBe(true);

    const client = connectAxonClient(axond.url);
    const { axon } = await client.createAxon({ name: "via-bin" });
    expect(axon!.id).toMatch(/^axn_/);

    const exit = await axond.stop("SIGINT");
    expect(exit.code).toBe(0);
    expect(exit.stderr).toMatch(/shutdown complete/);
  });

  it("prints help and exits 0", async () => {
    const exit = await runAxondToExit({ command: BIN, args: ["--help"], cwd });
    expect(exit.code).toBe(0);
    expect(exit.stdout).toMatch(/Usage: axond/);
    expect(exit.stdout).toMatch(/--data-dir <dir>/);
  });
});
