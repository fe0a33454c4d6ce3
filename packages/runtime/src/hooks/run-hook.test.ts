import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "@openaxon/core/testing";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runHook } from "./run-hook.js";

let dir: string;
let clock: ManualClock;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "openaxon-hook-"));
  clock = new ManualClock();
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
const sh = (script: string, deadlineMs = 60_000) =>
  runHook({ clock, file: "/bin/sh", args: ["-c", script], cwd: dir, env, deadlineMs, killGraceMs: 1000 });

/** Waits (real time) for a file the hook writes once it is running. */
const started = (name = "started") =>
  vi.waitFor(() => readFile(join(dir, name), "utf8"), { timeout: 5000, interval: 5 });

describe("runHook on real processes", () => {
  it("runs in the working dir with the given env and reports the exit code and interleaved output", async () => {
    const outcome = await sh('echo out; echo err >&2; pwd > where; echo "$FOO" >> where; exit 3');
    expect(outcome).toMatchObject({ exitCode: 3, signal: null, timedOut: false, truncated: false });
    expect(outcome.outputTail).toContain("out\n");
    expect(outcome.outputTail).toContain("err\n");
    expect(await readFile(join(dir, "where"), "utf8")).toBe(`${dir}\n\n`);
  });

  it("keeps the last 4 KiB of a long output and marks it truncated", async () => {
    const outcome = await sh("i=0; while [ $i -lt 2000 ]; do echo line-$i; i=$((i+1)); done; echo LAST");
    expect(outcome.exitCode).toBe(0);
    expect(outcome.truncated).toBe(true);
    expect(Buffer.byteLength(outcome.outputTail)).toBe(4096);
    expect(outcome.outputTail.endsWith("line-1999\nLAST\n")).toBe(true);
  });

  it("SIGTERMs the whole group at the deadline and reports timed_out", async () => {
    const run = sh("sleep 30 & echo $! > child; echo running > started; wait", 5000);
    await started();
    const child = Number(await readFile(join(dir, "child"), "utf8"));
    clock.advance(5000);
    const outcome = await run;
    expect(outcome).toMatchObject({ exitCode: null, signal: "SIGTERM", timedOut: true });
    expect(outcome.durationMs).toBe(5000);
    // Dying, it closes its pipes a moment before it turns into a zombie.
    await vi.waitFor(() => expect(processAlive(child)).toBe(false), { timeout: 5000, interval: 10 });
  });

  it("SIGKILLs a hook that ignores SIGTERM once the grace period is over", async () => {
    const run = sh("trap '' TERM; echo running > started; while :; do sleep 1; done", 5000);
    await started();
    clock.advance(5000);
    // Ignoring SIGTERM keeps it alive through the grace period…
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(1000);
    const outcome = await run;
    expect(outcome).toMatchObject({ exitCode: null, signal: "SIGKILL", timedOut: true });
  });

  it("kills what the hook left running in its group when it exits", async () => {
    const run = sh("sleep 30 & echo $! > child; echo done");
    const outcome = await run;
    expect(outcome).toMatchObject({ exitCode: 0, timedOut: false });
    const child = Number(await readFile(join(dir, "child"), "utf8"));
    await vi.waitFor(() => expect(processAlive(child)).toBe(false), { timeout: 5000, interval: 10 });
  });

  it("does not wait for a process that left the group and holds the output open", async () => {
    const run = sh(
      "setsid sh -c 'echo $$ > child.tmp; mv child.tmp child; exec sleep 30' & while [ ! -s child ]; do sleep 0.01; done; echo done",
    );
    const child = Number(
      await vi.waitFor(() => readFile(join(dir, "child"), "utf8"), { timeout: 5000, interval: 5 }),
    );
    try {
      // The hook has exited (or is about to); once its exit is seen, the grace period runs out.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(processAlive(child)).toBe(true);
      clock.advance(1000);
      const outcome = await run;
      expect(outcome).toMatchObject({ exitCode: 0, timedOut: false });
      expect(outcome.outputTail).toBe("done\n");
    } finally {
      try {
        process.kill(child, "SIGKILL");
      } catch {
        // already gone
      }
    }
  });

  it("reports an executable that cannot be started as an error, without throwing", async () => {
    const outcome = await runHook({
      clock,
      file: join(dir, "missing"),
      args: [],
      cwd: dir,
      env,
      deadlineMs: 1000,
    });
    expect(outcome.exitCode).toBeNull();
    expect(outcome.error).toMatch(/ENOENT/);
  });

  it("is killed at once when the server closes (abort)", async () => {
    const abort = new AbortController();
    const run = runHook({
      clock,
      file: "/bin/sh",
      args: ["-c", "echo running > started; exec sleep 30"],
      cwd: dir,
      env,
      deadlineMs: 60_000,
      signal: abort.signal,
    });
    await started();
    abort.abort();
    const outcome = await run;
    expect(outcome).toMatchObject({ signal: "SIGKILL", timedOut: false });
  });
});

/** Running and not a zombie (a killed child may linger as one until it is reaped). */
function processAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}
