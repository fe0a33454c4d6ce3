import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runAxondToExit, startAxondProcess } from "./support/axond-process.js";

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), "axond-startup-"));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

// Each test spawns axond (tsx compiles on start), which takes seconds on a busy machine.
describe("startup failures", { timeout: 60_000 }, () => {
  it("refuses a non-loopback address without an API key and explains how to pass one", async () => {
    for (const options of [
      { args: ["--listen", "0.0.0.0:0", "--data-dir", tmp] },
      { args: ["--data-dir", tmp], env: { OPENAXON_LISTEN: "[::]:0" } },
    ]) {
      const exit = await runAxondToExit(options);
      expect(exit.code).not.toBe(0);
      expect(exit.stdout).toBe("");
      expect(exit.stderr).toMatch(/^axond: refusing to listen on .* without an API key/);
      expect(exit.stderr).toMatch(/--api-key KEY/);
    }
  });

  it("refuses a second axond on the same data dir", async () => {
    const first = await startAxondProcess({ args: ["--listen", "127.0.0.1:0", "--data-dir", tmp] });
    try {
      const second = await runAxondToExit({ args: ["--listen", "127.0.0.1:0", "--data-dir", tmp] });
      expect(second.code).not.toBe(0);
      expect(second.stderr).toContain(`axond: another axond is using ${tmp}`);
    } finally {
      expect((await first.stop("SIGTERM")).code).toBe(0);
    }
  });

  it("refuses a port that is already taken", async () => {
    const first = await startAxondProcess({
      args: ["--listen", "127.0.0.1:0", "--data-dir", join(tmp, "a")],
    });
    try {
      const port = new URL(first.url).port;
      const second = await runAxondToExit({
        args: ["--listen", `127.0.0.1:${port}`, "--data-dir", join(tmp, "b")],
      });
      expect(second.code).not.toBe(0);
      expect(second.stderr).toContain(
        `axond: cannot listen on 127.0.0.1:${port}: the address is already in use`,
      );
    } finally {
      await first.stop("SIGTERM");
    }
  });

  it("refuses a data dir that is not a writable directory", async () => {
    const file = join(tmp, "not-a-dir");
    await writeFile(file, "x");
    const exit = await runAxondToExit({ args: ["--listen", "127.0.0.1:0", "--data-dir", file] });
    expect(exit.code).not.toBe(0);
    expect(exit.stderr).toContain(`axond: data dir ${file} is not a writable directory`);
  });

  it("reports a bad listen address and a bad flag", async () => {
    const bad = await runAxondToExit({ args: ["--listen", "localhost"] });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/axond: invalid listen address "localhost": missing :PORT/);

    const unknown = await runAxondToExit({ args: ["--lisen", "127.0.0.1:0"] });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown option '--lisen'/);
  });

  it("refuses --sandbox required without bubblewrap, saying how to fix it", async () => {
    for (const options of [
      { args: ["--listen", "127.0.0.1:0", "--data-dir", tmp, "--sandbox", "required"] },
      { args: ["--listen", "127.0.0.1:0", "--data-dir", tmp], env: { OPENAXON_SANDBOX: "required" } },
    ]) {
      // No bwrap on this PATH.
      const exit = await runAxondToExit({
        ...options,
        env: { ...options.env, PATH: "/nonexistent-openaxon" },
      });
      expect(exit.code).toBe(1);
      expect(exit.stderr).toBe(
        "axond: sandbox is required but unavailable: bubblewrap (bwrap) is not installed. " +
          "Install bubblewrap and socat, or start with --sandbox auto (or off)\n",
      );
    }
  });

  it("refuses a secret key that does not open the stored secrets, and never prints a key", async () => {
    const keyA = Buffer.alloc(32, 1).toString("base64");
    const keyB = Buffer.alloc(32, 2).toString("base64");
    const args = ["--listen", "127.0.0.1:0", "--data-dir", tmp];
    const first = await startAxondProcess({ args, env: { OPENAXON_SECRET_KEY: keyA } });
    const firstExit = await first.stop("SIGTERM");
    expect(firstExit.code).toBe(0);
    expect(firstExit.stderr).toContain('"source":"env"');

    const exit = await runAxondToExit({ args, env: { OPENAXON_SECRET_KEY: keyB } });
    expect(exit.code).toBe(1);
    expect(exit.stderr).toMatch(/^axond: the secret key is not the one the stored secrets were sealed with/m);
    expect(exit.stderr).toContain("OPENAXON_SECRET_KEY");
    for (const output of [firstExit.stderr, exit.stderr, exit.stdout]) {
      expect(output).not.toContain(keyA);
      expect(output).not.toContain(keyB);
    }
    // The right key still opens it.
    const again = await startAxondProcess({ args, env: { OPENAXON_SECRET_KEY: keyA } });
    expect((await again.stop("SIGTERM")).code).toBe(0);
  });
});
