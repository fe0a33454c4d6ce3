import { existsSync, readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { settle } from "@openaxon/broker/test-support";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { LifecycleSpec } from "./runtime-record.js";
import type { SandboxAvailability } from "./sandbox/index.js";
import { detectSandbox } from "./sandbox/index.js";
import { type NetworkFixture, networkFixture } from "./test-support/network-fixture.js";
import { type RuntimeFixture, runtimeFixture, suspendAfter } from "./test-support/runtime-fixture.js";

// Issue 14 item 5: before_suspend / after_resume hooks, run as real processes.

const fixtures: RuntimeFixture[] = [];
const networks: NetworkFixture[] = [];
afterEach(async () => {
  for (const f of fixtures.splice(0)) await f.cleanup();
  for (const n of networks.splice(0)) await n.close();
});

async function fixture(options: Parameters<typeof runtimeFixture>[1] = {}) {
  const f = await runtimeFixture(undefined, options);
  fixtures.push(f);
  return f;
}

const sh = (script: string, deadlineMs = 60_000) => ({ command: ["sh", "-c", script], deadlineMs });

const withHooks = (hooks: Partial<LifecycleSpec>): LifecycleSpec => ({ ...suspendAfter(60), ...hooks });

async function hookEvents(f: RuntimeFixture) {
  return (await f.events()).filter((e) => e.eventType === "runtime.hook").map((e) => JSON.parse(e.payload));
}

describe("before_suspend", () => {
  it("runs in the working dir after the agent stopped and before runtime.suspended; its output lands in the event", async () => {
    const f = await fixture();
    const rt = await f.create({
      lifecycle: withHooks({
        beforeSuspend: sh('echo "saved $OPENAXON_RUNTIME_ID" > snapshot.txt; echo committed; echo warn >&2'),
      }),
    });
    const seq = await f.say("hello");
    await f.turnEnd(`turn_${seq}`);
    await settle();
    f.clock.advance(60_000);
    await f.reach(rt.id, "suspended");

    expect(await readFile(join(rt.workingDirectory, "snapshot.txt"), "utf8")).toBe(`saved ${rt.id}\n`);
    expect(await f.types()).toEqual([
      "runtime.running",
      "session.started",
      "user.message",
      "turn.started",
      "turn.message_chunk",
      "turn.completed",
      "runtime.hook",
      "runtime.suspended",
    ]);
    const [event] = await hookEvents(f);
    expect(event).toEqual({
      runtime_id: rt.id,
      hook: "before_suspend",
      command: "sh",
      exit_code: 0,
      signal: null,
      timed_out: false,
      duration_ms: 0, // the manual clock did not move
      deadline_ms: 60_000,
      output_tail: expect.stringMatching(/committed\n/),
      truncated: false,
    });
    expect(event.output_tail).toContain("warn\n");
    const hook = (await f.events()).find((e) => e.eventType === "runtime.hook")!;
    expect(hook.origin).toBe(4); // SYSTEM, like every runtime.* event
  });

  it("a hook past its deadline is killed and the suspend completes", async () => {
    const f = await fixture();
    const rt = await f.create({
      lifecycle: withHooks({ beforeSuspend: sh("echo started > started; exec sleep 60", 5000) }),
    });
    const suspending = f.manager.suspendRuntime(rt.id);
    await vi.waitFor(() => readFile(join(rt.workingDirectory, "started"), "utf8"), {
      timeout: 5000,
      interval: 5,
    });
    expect(f.statusOf(rt.id)).toBe("suspending");
    f.clock.advance(5000);
    expect((await suspending).status).toBe("suspended");
    const [event] = await hookEvents(f);
    expect(event).toMatchObject({
      hook: "before_suspend",
      exit_code: null,
      signal: "SIGTERM",
      timed_out: true,
      duration_ms: 5000,
    });
    expect((await f.types()).slice(-2)).toEqual(["runtime.hook", "runtime.suspended"]);
  });

  it("a failing hook's exit code and output tail land in the event; the suspend still happens", async () => {
    const f = await fixture();
    const rt = await f.create({
      lifecycle: withHooks({
        beforeSuspend: sh(
          "i=0; while [ $i -lt 600 ]; do echo noise-$i; i=$((i+1)); done; echo 'fatal: not a git repository' >&2; exit 128",
        ),
      }),
    });
    expect((await f.manager.suspendRuntime(rt.id)).status).toBe("suspended");
    const [event] = await hookEvents(f);
    expect(event).toMatchObject({ exit_code: 128, signal: null, timed_out: false, truncated: true });
    expect(event.output_tail.endsWith("fatal: not a git repository\n")).toBe(true);
    expect(Buffer.byteLength(event.output_tail)).toBe(4096);
  });

  it("a hook whose executable does not exist is reported and the suspend goes on", async () => {
    const f = await fixture();
    const rt = await f.create({
      lifecycle: withHooks({ beforeSuspend: { command: ["no-such-hook-binary"], deadlineMs: 1000 } }),
    });
    expect((await f.manager.suspendRuntime(rt.id)).status).toBe("suspended");
    const [event] = await hookEvents(f);
    expect(event).toMatchObject({ command: "no-such-hook-binary", exit_code: null });
    expect(event.error).toMatch(/no-such-hook-binary/);
  });
});

describe("after_resume", () => {
  it("runs after the wake and before the next turn's turn.started; not on the first start", async () => {
    const f = await fixture();
    const rt = await f.create({
      lifecycle: withHooks({ afterResume: sh("echo resumed >> resumes.txt; echo warmed up") }),
    });
    expect(existsSync(join(rt.workingDirectory, "resumes.txt"))).toBe(false);
    f.clock.advance(60_000);
    await f.reach(rt.id, "suspended");
    const seq = await f.say("wake up");
    await f.turnEnd(`turn_${seq}`);
    expect(await readFile(join(rt.workingDirectory, "resumes.txt"), "utf8")).toBe("resumed\n");
    const types = await f.types();
    expect(types.slice(types.indexOf("runtime.suspended"))).toEqual([
      "runtime.suspended",
      "user.message",
      "runtime.resumed",
      "runtime.hook",
      "session.started",
      "turn.started",
      "turn.message_chunk",
      "turn.completed",
    ]);
    const [event] = await hookEvents(f);
    expect(event).toMatchObject({ hook: "after_resume", exit_code: 0, output_tail: "warmed up\n" });
  });

  it("runs on ResumeRuntime too, and a hook past its deadline does not keep the runtime from running", async () => {
    const f = await fixture();
    const rt = await f.create({
      lifecycle: withHooks({ afterResume: sh("echo started > started; exec sleep 60", 2000) }),
    });
    await f.manager.suspendRuntime(rt.id);
    const resuming = f.manager.resumeRuntime(rt.id);
    await vi.waitFor(() => readFile(join(rt.workingDirectory, "started"), "utf8"), {
      timeout: 5000,
      interval: 5,
    });
    f.clock.advance(2000);
    expect((await resuming).status).toBe("running");
    expect(await hookEvents(f)).toMatchObject([{ hook: "after_resume", timed_out: true }]);
  });
});

describe("closing the server", () => {
  it("kills a running hook instead of waiting for its deadline", async () => {
    const f = await fixture();
    const rt = await f.create({
      lifecycle: withHooks({ beforeSuspend: sh("echo $$ > pid; exec sleep 60", 600_000) }),
    });
    const suspending = f.manager.suspendRuntime(rt.id).catch(() => undefined);
    const pid = Number(
      await vi.waitFor(() => readFile(join(rt.workingDirectory, "pid"), "utf8"), {
        timeout: 5000,
        interval: 5,
      }),
    );
    await f.manager.close();
    await suspending;
    // Dying, it closes its pipes a moment before it turns into a zombie.
    await vi.waitFor(() => expect(alive(pid)).toBe(false), { timeout: 5000, interval: 10 });
  });
});

const sandbox: SandboxAvailability = await detectSandbox();

describe.skipIf(sandbox.kind === "none")("in the runtime's bubblewrap sandbox", () => {
  it("the hook sees the workdir writable, a private /tmp, the data dir hidden and no network but loopback", async () => {
    const net = await networkFixture({ sandbox, sandboxRequired: true });
    networks.push(net);
    const f = await fixture({ network: net.network });
    await writeFile(join(net.runDir, "secret.key"), "key material");
    const marker = `openaxon-hook-${process.pid}-${Date.now()}`;
    const rt = await f.create({
      sandboxPolicy: "required",
      lifecycle: withHooks({
        beforeSuspend: sh(
          [
            "echo inside > made.txt",
            `echo x > /tmp/${marker}`,
            `echo secret=$(cat ${net.runDir}/secret.key 2>/dev/null || echo unreadable)`,
            "echo ifaces=$(tail -n +3 /proc/net/dev | wc -l)",
            'test -n "$HTTPS_PROXY" && echo proxy=set',
          ].join("; "),
        ),
      }),
    });
    expect(f.manager.getRuntime(rt.id).sandbox).toBe("bubblewrap");
    expect((await f.manager.suspendRuntime(rt.id)).status).toBe("suspended");
    const [event] = await hookEvents(f);
    expect(event).toMatchObject({ exit_code: 0 });
    expect(event.output_tail).toContain("secret=unreadable\n");
    expect(event.output_tail).toContain("ifaces=1\n");
    expect(event.output_tail).toContain("proxy=set\n");
    expect(await readFile(join(rt.workingDirectory, "made.txt"), "utf8")).toBe("inside\n");
    expect(existsSync(join("/tmp", marker))).toBe(false);
  });
});

/** Running and not a zombie. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}
