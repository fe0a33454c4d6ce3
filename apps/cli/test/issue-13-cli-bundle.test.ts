import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isBundleFresh } from "../scripts/bundle-cli.js";

// bin/axon.js runs dist/axon.js and, in a checkout, rebuilds it first unless isBundleFresh: a stale
// bundle would run old code after an edit.
describe("isBundleFresh", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function cliDir(inputs: string[]): string {
    const dir = mkdtempSync(join(tmpdir(), "axon-bundle-"));
    dirs.push(dir);
    mkdirSync(join(dir, "src"));
    mkdirSync(join(dir, "dist"));
    for (const input of inputs) writeFileSync(join(dir, input), "export {};\n");
    writeFileSync(join(dir, "dist/axon.js"), "// bundle\n");
    writeFileSync(join(dir, "dist/axon.inputs.json"), JSON.stringify(inputs));
    return dir;
  }
  const at = (path: string, seconds: number) => utimesSync(path, seconds, seconds);

  it("is fresh while every input is older than the bundle", () => {
    const dir = cliDir(["src/main.ts", "src/io.ts"]);
    at(join(dir, "src/main.ts"), 1000);
    at(join(dir, "src/io.ts"), 1000);
    at(join(dir, "dist/axon.js"), 2000);
    expect(isBundleFresh(dir)).toBe(true);
  });

  it("is stale once any input is edited after the bundle was built", () => {
    const dir = cliDir(["src/main.ts", "src/io.ts"]);
    at(join(dir, "src/main.ts"), 1000);
    at(join(dir, "src/io.ts"), 3000);
    at(join(dir, "dist/axon.js"), 2000);
    expect(isBundleFresh(dir)).toBe(false);
  });

  it("is stale when an input is gone, or the bundle or its input list is missing", () => {
    const gone = cliDir(["src/main.ts"]);
    at(join(gone, "dist/axon.js"), 2000);
    rmSync(join(gone, "src/main.ts"));
    expect(isBundleFresh(gone)).toBe(false);

    const noBundle = cliDir(["src/main.ts"]);
    rmSync(join(noBundle, "dist/axon.js"));
    expect(isBundleFresh(noBundle)).toBe(false);

    const noList = cliDir(["src/main.ts"]);
    at(join(noList, "src/main.ts"), 1000);
    rmSync(join(noList, "dist/axon.inputs.json"));
    expect(isBundleFresh(noList)).toBe(false);
  });
});
