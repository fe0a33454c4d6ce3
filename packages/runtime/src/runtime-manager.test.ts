import { chmod, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { checkTurnLog, settle } from "@openaxon/broker/test-support";
import { isId } from "@openaxon/core";
import { AxonNotFoundError } from "@openaxon/store";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { InvalidRuntimeError, RuntimeNotFoundError, RuntimeStateError } from "./errors.js";
import { type MountSpec, RUNTIME_RECORD_KIND, type RuntimeRecord } from "./runtime-record.js";
import {
  type HoldableAgent,
  NEVER_IDLE,
  type RuntimeFixture,
  runtimeFixture,
  suspendAfter,
} from "./test-support/runtime-fixture.js";

let f: RuntimeFixture;
let agent: HoldableAgent;

beforeEach(async () => {
  f = await runtimeFixture();
  agent = f.agent as HoldableAgent;
});
afterEach(() => f.cleanup());

const turnLog = async () =>
  (await f.transcript()).map((e) => ({ type: e.type, payload: e.payload as Record<string, unknown> }));

describe("createRuntime", () => {
  it("creates a running runtime whose agent answers in the axon, in a working directory of its own", async () => {
    const rt = await f.create({ name: "helper", env: { MODEL: "small" } });
    expect(isId("rt", rt.id)).toBe(true);
    expect(rt).toMatchObject({ name: "helper", status: "running", statusReason: "" });
    expect(rt.workingDirectory).toBe(join(f.workdirRoot, rt.id));
    expect((await stat(rt.workingDirectory)).isDirectory()).toBe(true);
    const start = agent.starts[0]!;
    expect(start.cwd).toBe(rt.workingDirectory);
    expect(start.env).toMatchObject({
      MODEL: "small",
      OPENAXON_RUNTIME_ID: rt.id,
      OPENAXON_AXON_ID: f.axonId,
    });

    const seq = await f.say("hi");
    const end = await f.turnEnd(`turn_${seq}`);
    expect(end.eventType).toBe("turn.completed");
    expect(f.manager.listRuntimes().map((r) => r.id)).toEqual([rt.id]);
    expect(await f.store.getRecord<RuntimeRecord>(RUNTIME_RECORD_KIND, rt.id)).toMatchObject({
      status: "running",
    });
  });

  it("uses the mount's working directory, else the runtime's, creating it if missing", async () => {
    const dir = join(f.workdirRoot, "custom", "nested");
    const rt = await f.create({ workingDirectory: dir });
    expect(rt.workingDirectory).toBe(dir);
    expect(agent.starts[0]!.cwd).toBe(dir);
  });

  it("refuses bad configurations with messages naming the field", async () => {
    const bad = async (overrides: Parameters<RuntimeFixture["create"]>[0], message: RegExp) => {
      const error = await f.create(overrides).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidRuntimeError);
      expect((error as Error).message).toMatch(message);
    };
    await bad({ mounts: [] }, /mounts is empty/);
    await bad(
      { mounts: [f.mount({ protocol: "stdio" })] },
      /mounts\[0\]\.protocol stdio is not available.*acp/,
    );
    await bad({ mounts: [f.mount({ agentBinary: " " })] }, /mounts\[0\]\.agent_binary is required/);
    await bad(
      { mounts: [f.mount({ agentBinary: "no-such-agent-xyz" })] },
      /no-such-agent-xyz not found on the agent's PATH/,
    );
    await bad({ mounts: [f.mount(), f.mount()] }, /mounted twice/);
    await bad(
      { workingDirectory: "relative/dir" },
      /working_directory "relative\/dir" must be an absolute path/,
    );
    await bad(
      { env: { OPENAXON_AGENT_HOST: "x" } },
      /env: env variable OPENAXON_AGENT_HOST is set by the runtime/,
    );
    await bad({ lifecycle: { ...NEVER_IDLE, idleTimeSeconds: -1 } }, /idle_time_seconds/);
    expect(f.manager.listRuntimes()).toEqual([]);
  });

  it("hands the adapter the mount's model and MCP servers (commands made absolute); the agent env has OPENAXON_MODEL", async () => {
    const mcpServers = [
      { type: "stdio", name: "tools", command: "sh", args: ["-c", "true"], env: { A: "1" } },
      { type: "http", name: "remote", url: "http://127.0.0.1:9/mcp", headers: {} },
    ] as const;
    const rt = await f.create({ mounts: [f.mount({ model: "m-1", mcpServers })] });
    expect(rt.mounts[0]).toMatchObject({ model: "m-1", mcpServers });
    const launch = f.launches.at(-1)!;
    expect(launch.model).toBe("m-1");
    expect(launch.mcpServers).toEqual([
      { ...mcpServers[0], command: expect.stringMatching(/^\/.*\/sh$/) },
      mcpServers[1],
    ]);
    expect(agent.starts[0]!.env.OPENAXON_MODEL).toBe("m-1");
  });

  it("refuses MCP servers it cannot start, naming the field", async () => {
    const tools = { type: "stdio", name: "tools", command: "sh", args: [], env: {} } as const;
    const refused = (mcpServers: MountSpec["mcpServers"]) =>
      f.create({ mounts: [f.mount({ mcpServers })] }).catch((e: unknown) => e);
    const missing = await refused([tools, { ...tools, name: "gone", command: "no-such-mcp-xyz" }]);
    expect(missing).toBeInstanceOf(InvalidRuntimeError);
    expect((missing as Error).message).toMatch(
      /^mounts\[0\]\.mcp_servers\[1\]\.stdio\.command: no-such-mcp-xyz not found on the agent's PATH/,
    );
    const unbound = await refused([{ ...tools, env: { TOKEN: "$" + "{GWS_NOPE}" } }]);
    expect((unbound as Error).message).toMatch(
      /^mounts\[0\]\.mcp_servers\[0\]\.stdio\.env\.TOKEN refers to \$\{GWS_NOPE\}, which is not a gateway binding variable/,
    );
    expect(f.manager.listRuntimes()).toEqual([]);
  });

  it("refuses an unknown axon, and an axon another live runtime mounts", async () => {
    await expect(
      f.create({ mounts: [f.mount({ axonId: "axn_00000000000000000000000000" })] }),
    ).rejects.toBeInstanceOf(AxonNotFoundError);
    const first = await f.create();
    const error = await f.create().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RuntimeStateError);
    expect((error as Error).message).toContain(`already mounted by runtime ${first.id}`);
    await f.manager.shutdownRuntime(first.id);
    expect((await f.create()).status).toBe("running");
  });

  it("reports unknown runtimes", async () => {
    expect(() => f.manager.getRuntime("rt_00000000000000000000000000")).toThrow(RuntimeNotFoundError);
    await expect(f.manager.suspendRuntime("rt_x")).rejects.toBeInstanceOf(RuntimeNotFoundError);
  });
});

describe("failure", () => {
  it("fails with the reason when its agent binary is gone, and a resume retries", async () => {
    const binary = join(f.workdirRoot, "agent-bin");
    await writeFile(binary, "#!/bin/sh\n");
    await chmod(binary, 0o755);
    const rt = await f.create({ mounts: [f.mount({ agentBinary: binary })] });
    await f.manager.suspendRuntime(rt.id);
    await rm(binary);

    const failed = await f.manager.resumeRuntime(rt.id);
    expect(failed.status).toBe("failed");
    expect(failed.statusReason).toBe(`agent binary ${binary} is not an executable file`);
    expect((await f.runtimeEvents()).at(-1)).toEqual(["runtime.failed", failed.statusReason]);
    await expect(f.manager.suspendRuntime(rt.id)).rejects.toThrow(/has failed .*resume it to retry/);

    await writeFile(binary, "#!/bin/sh\n");
    await chmod(binary, 0o755);
    expect((await f.manager.resumeRuntime(rt.id)).status).toBe("running");
  });

  it("fails when a mounted axon is gone by the time it resumes", async () => {
    const rt = await f.create();
    await f.manager.suspendRuntime(rt.id);
    await f.store.deleteAxon(f.axonId);
    const failed = await f.manager.resumeRuntime(rt.id);
    expect(failed.status).toBe("failed");
    expect(failed.statusReason).toContain(f.axonId);
  });
});

describe("agents that never start", () => {
  it("fail the runtime after the start timeout, with the agent stopped", async () => {
    agent.hangStarts = true;
    const creating = f.create();
    await vi.waitFor(() => expect(agent.startAttempts).toBe(1));
    expect(f.manager.listRuntimes()[0]?.status).toBe("provisioning");
    f.clock.advance(120_000);
    const rt = await creating;
    expect(rt).toMatchObject({ status: "failed", statusReason: "the agents did not start within 120s" });
    expect(agent.stopRequested).toBeGreaterThan(0);
    expect((await f.runtimeEvents()).map(([type]) => type)).toEqual(["runtime.running", "runtime.failed"]);
  });

  it("do not hold a shutdown hostage", async () => {
    agent.hangStarts = true;
    const creating = f.create();
    await vi.waitFor(() => expect(agent.startAttempts).toBe(1));
    const id = f.manager.listRuntimes()[0]!.id;
    expect((await f.manager.shutdownRuntime(id)).status).toBe("shutdown");
    await creating;
    expect(f.statusOf(id)).toBe("shutdown");
  });
});

describe("persistence and recovery", () => {
  it("brings a running runtime back running and a suspended one back suspended, sessions kept, no turn run twice", async () => {
    const running = await f.create({ lifecycle: NEVER_IDLE });
    const other = await f.newAxon();
    const suspended = await f.create({ mounts: [f.mount({ axonId: other })], lifecycle: suspendAfter(60) });
    const first = await f.say("before restart");
    await f.turnEnd(`turn_${first}`);
    await f.manager.suspendRuntime(suspended.id);
    const startsBefore = agent.starts.length;

    await f.restart();
    expect(f.statusOf(running.id)).toBe("running");
    expect(f.statusOf(suspended.id)).toBe("suspended");
    const restarted = agent.starts.slice(startsBefore);
    expect(restarted).toHaveLength(1);
    expect(restarted[0]!.resumeSessionId).toBe("sess_1");

    const second = await f.say("after restart");
    await f.turnEnd(`turn_${second}`);
    expect(agent.prompts.filter((p) => p.content === "before restart")).toHaveLength(1);
    checkTurnLog(await turnLog(), [first, second]);
    expect((await f.runtimeEvents()).map(([t, r]) => `${t}:${r ?? ""}`)).toEqual([
      "runtime.running:",
      "runtime.running:server restarted",
    ]);

    // The suspended one still wakes on its next event.
    await f.store.append(other, [
      { origin: 3, source: "test", eventType: "user.message", payload: JSON.stringify({ content: "wake" }) },
    ]);
    await f.reach(suspended.id, "running");
  });

  it("finishes a transition the server died in: suspending ends suspended, provisioning ends running", async () => {
    const base = await f.create({ lifecycle: suspendAfter(60) });
    await f.manager.shutdownRuntime(base.id);
    const now = f.clock.now();
    const suspending: RuntimeRecord = {
      ...base,
      id: "rt_0000000000000000000000000a",
      status: "suspending",
      statusReason: "idle for 60s",
      updatedAtMs: now,
    };
    await f.store.putRecord(RUNTIME_RECORD_KIND, suspending.id, suspending);
    await f.restart();
    expect(f.statusOf(suspending.id)).toBe("suspended");
    expect((await f.runtimeEvents()).at(-1)).toEqual(["runtime.suspended", "idle for 60s"]);

    await f.manager.shutdownRuntime(suspending.id);
    const provisioning: RuntimeRecord = {
      ...suspending,
      id: "rt_0000000000000000000000000b",
      status: "provisioning",
    };
    await f.store.putRecord(RUNTIME_RECORD_KIND, provisioning.id, provisioning);
    await f.restart();
    expect(f.statusOf(provisioning.id)).toBe("running");
  });

  it("close() stops every agent without changing recorded statuses", async () => {
    const rt = await f.create();
    await f.manager.close();
    expect(agent.running).toBe(false);
    expect((await f.store.getRecord<RuntimeRecord>(RUNTIME_RECORD_KIND, rt.id))?.status).toBe("running");
    await expect(f.create()).rejects.toThrow(/shutting down/);
    await settle();
  });
});
