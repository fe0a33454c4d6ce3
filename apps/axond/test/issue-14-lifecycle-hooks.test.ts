import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { AgentProtocol, RuntimeStatus, Sandbox } from "@openaxon/protocol";
import { detectSandbox } from "@openaxon/runtime";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { readAll } from "./support/axon-client.js";
import { type AxondProcess, startAxondProcess } from "./support/axond-process.js";
import { payloadOf, processesOf, reply, say, serviceClients } from "./support/gateway-e2e.js";

// Issue 14 item 5 end to end: a real axond (child process) runs a stdio agent in its sandbox
// (bubblewrap when the host has it); SuspendRuntime runs before_suspend and a wake runs
// after_resume, both real processes in the runtime's working dir, each leaving a runtime.hook event;
// a hook past its deadline is killed and the suspend completes; a hook still running when axond is
// SIGKILLed does not outlive it.

const sandbox = await detectSandbox();
const AGENT = ["-c", "cat >/dev/null; printf pong"];

let dataDir: string;
let axond: AxondProcess | undefined;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "axond-issue-14-hooks-"));
});
afterEach(async () => {
  await axond?.stop("SIGKILL");
  axond = undefined;
  await rm(dataDir, { recursive: true, force: true });
});

describe.skipIf(process.platform !== "linux")("issue 14: lifecycle hooks through axond", () => {
  it("before_suspend and after_resume run in the runtime's sandbox and working dir, in order, as events", async () => {
    axond = await startAxondProcess({ args: ["--listen", "127.0.0.1:0", "--data-dir", dataDir] });
    const { axons, runtimes } = serviceClients(axond.url);
    const axonId = (await axons.createAxon({ name: "hooks" })).axon!.id;
    const { runtime } = await runtimes.createRuntime({
      name: "hooks",
      mounts: [{ axonId, protocol: AgentProtocol.STDIO, agentBinary: "sh", launchArgs: AGENT }],
      lifecycle: {
        beforeSuspend: {
          command: ["sh", "-c", 'echo "$OPENAXON_RUNTIME_ID" > saved.txt; echo saved; echo oops >&2; exit 4'],
          deadlineMs: 20_000,
        },
        afterResume: { command: ["sh", "-c", "echo woke >> resumes.txt; echo warm"], deadlineMs: 20_000 },
      },
    });
    const id = runtime!.id;
    expect(runtime!.status).toBe(RuntimeStatus.RUNNING);
    if (sandbox.kind === "bubblewrap") expect(runtime!.sandbox).toBe(Sandbox.BUBBLEWRAP);
    const workdir = runtime!.workingDirectory;

    expect((await reply(axons, axonId, await say(axons, axonId, "ping"))).text).toBe("pong");
    const { runtime: suspended } = await runtimes.suspendRuntime({ id });
    expect(suspended!.status).toBe(RuntimeStatus.SUSPENDED);
    expect(await readFile(join(workdir, "saved.txt"), "utf8")).toBe(`${id}\n`);
    expect(existsSync(join(workdir, "resumes.txt"))).toBe(false);

    const second = await say(axons, axonId, "again");
    const { text, events } = await reply(axons, axonId, second);
    expect(text).toBe("pong");
    expect(await readFile(join(workdir, "resumes.txt"), "utf8")).toBe("woke\n");

    const hooks = events.filter((e) => e.eventType === "runtime.hook").map(payloadOf);
    expect(hooks).toEqual([
      expect.objectContaining({
        runtime_id: id,
        hook: "before_suspend",
        command: "sh",
        exit_code: 4,
        timed_out: false,
        output_tail: "saved\noops\n",
      }),
      expect.objectContaining({ hook: "after_resume", exit_code: 0, output_tail: "warm\n" }),
    ]);
    const order = events
      .map((e) => e.eventType)
      .filter((t) => t.startsWith("runtime.") || t === "turn.started" || t === "user.message");
    expect(order).toEqual([
      "runtime.running",
      "user.message",
      "turn.started",
      "runtime.hook",
      "runtime.suspended",
      "user.message",
      "runtime.resumed",
      "runtime.hook",
      "turn.started",
    ]);
  });

  it("a hook past its deadline is killed and the suspend completes; a running hook dies with axond", async () => {
    axond = await startAxondProcess({ args: ["--listen", "127.0.0.1:0", "--data-dir", dataDir] });
    const { axons, runtimes } = serviceClients(axond.url);
    const axonId = (await axons.createAxon({ name: "slow-hooks" })).axon!.id;
    const { runtime } = await runtimes.createRuntime({
      mounts: [{ axonId, protocol: AgentProtocol.STDIO, agentBinary: "sh", launchArgs: AGENT }],
      lifecycle: { beforeSuspend: { command: ["sleep", "60"], deadlineMs: 300 } },
    });
    const id = runtime!.id;
    const { runtime: suspended } = await runtimes.suspendRuntime({ id });
    expect(suspended!.status).toBe(RuntimeStatus.SUSPENDED);
    const hook = (await readAll(axons, axonId)).find((e) => e.eventType === "runtime.hook")!;
    expect(payloadOf(hook)).toMatchObject({
      hook: "before_suspend",
      command: "sleep",
      exit_code: null,
      timed_out: true,
      deadline_ms: 300,
    });
    expect(processesOf(id)).toEqual([]);

    // The next suspend's hook runs for up to 10 minutes; axond is SIGKILLed in the middle of it.
    await runtimes.resumeRuntime({ id });
    await runtimes.updateRuntime({
      id,
      lifecycle: { beforeSuspend: { command: ["sleep", "600"], deadlineMs: 600_000 } },
      updateMask: create(FieldMaskSchema, { paths: ["lifecycle"] }),
    });
    const suspending = runtimes.suspendRuntime({ id }).catch(() => undefined);
    await vi.waitFor(() => expect(processesOf(id).map((p) => p.comm)).toContain("sleep"), {
      timeout: 10_000,
      interval: 50,
    });
    await axond.stop("SIGKILL");
    axond = undefined;
    await suspending;
    await vi.waitFor(() => expect(processesOf(id)).toEqual([]), { timeout: 10_000, interval: 50 });
  });
});
