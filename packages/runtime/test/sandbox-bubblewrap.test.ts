import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildSandboxCommand,
  chooseSandbox,
  detectSandbox,
  type SandboxAvailability,
} from "@openaxon/runtime";
import { afterEach, describe, expect, it } from "vitest";

const sandbox: SandboxAvailability = await detectSandbox();
const skipReason = sandbox.kind === "none" ? ` — skipped: ${sandbox.reason}` : "";

describe("sandbox detection", () => {
  it("reports none, with a reason, when bubblewrap is missing", async () => {
    const none = await detectSandbox({ path: "/nonexistent-openaxon-bin" });
    expect(none).toEqual({ kind: "none", reason: "bubblewrap (bwrap) is not installed" });
    const broken = await detectSandbox({ bwrapPath: "/bin/false", socatPath: "/bin/true" });
    expect(broken.kind).toBe("none");
  });

  it("required refuses to run without a sandbox; auto runs without; off never sandboxes", () => {
    const none: SandboxAvailability = { kind: "none", reason: "bubblewrap (bwrap) is not installed" };
    expect(() => chooseSandbox("required", none)).toThrow(/sandbox is required but unavailable: bubblewrap/);
    expect(chooseSandbox("auto", none)).toBe(none);
    const available: SandboxAvailability = {
      kind: "bubblewrap",
      bwrapPath: "/usr/bin/bwrap",
      socatPath: "/usr/bin/socat",
      version: "x",
    };
    expect(chooseSandbox("off", available).kind).toBe("none");
    expect(chooseSandbox("required", available)).toBe(available);
  });
});

describe.skipIf(sandbox.kind === "none")(`bubblewrap sandbox${skipReason}`, () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  function run(script: string, workdir: string, hiddenPaths: string[] = [], writablePaths: string[] = []) {
    if (sandbox.kind === "none") throw new Error("unreachable");
    const { file, args } = buildSandboxCommand({
      command: ["/bin/sh", "-c", script],
      workdir,
      hiddenPaths,
      writablePaths,
      bwrapPath: sandbox.bwrapPath,
    });
    return spawnSync(file, args, { env: { PATH: process.env.PATH ?? "/usr/bin:/bin" }, encoding: "utf8" });
  }

  it("writes go to the workdir and a private /tmp; the exit code comes back", async () => {
    const workdir = await mkdtemp(join(tmpdir(), "oa-sbx-"));
    dirs.push(workdir);
    const marker = `openaxon-private-tmp-${process.pid}`;
    const result = run(`echo made > made.txt && echo x > /tmp/${marker} && exit 3`, workdir);
    expect(result.status).toBe(3);
    expect(await readFile(join(workdir, "made.txt"), "utf8")).toBe("made\n");
    expect(existsSync(join("/tmp", marker))).toBe(false);
  });

  it("hidden paths are empty inside, and only loopback exists", async () => {
    const workdir = await mkdtemp(join(tmpdir(), "oa-sbx-"));
    const hidden = await mkdtemp(join(tmpdir(), "oa-hidden-"));
    dirs.push(workdir, hidden);
    const { writeFile } = await import("node:fs/promises");
    await writeFile(join(hidden, "secret.key"), "key material");
    const result = run(
      `ls -A ${hidden} | wc -l; grep -vc Iface /proc/net/route; tail -n +3 /proc/net/dev | wc -l`,
      workdir,
      [hidden],
    );
    expect(result.stdout.trim().split("\n")).toEqual(["0", "0", "1"]);
  });

  it("a writable parent (e.g. HOME) does not uncover the hidden data dir; a workdir inside it comes back", async () => {
    const { mkdir, writeFile } = await import("node:fs/promises");
    const home = await mkdtemp(join(tmpdir(), "oa-home-"));
    dirs.push(home);
    const dataDir = join(home, "data");
    const workdir = join(dataDir, "runtimes", "rt_1");
    await mkdir(workdir, { recursive: true });
    await writeFile(join(dataDir, "secret.key"), "key material");
    const result = run(
      `ls ${dataDir}; cat ${dataDir}/secret.key 2>/dev/null; echo; echo w > ${home}/home-file && echo ok > out.txt && echo done`,
      workdir,
      [dataDir],
      [home],
    );
    const lines = result.stdout.trim().split("\n");
    expect(lines).toContain("runtimes");
    expect(lines).not.toContain("secret.key");
    expect(result.stdout).not.toContain("key material");
    expect(lines.at(-1)).toBe("done");
    expect(await readFile(join(workdir, "out.txt"), "utf8")).toBe("ok\n");
    expect(await readFile(join(home, "home-file"), "utf8")).toBe("w\n");
  });
});
