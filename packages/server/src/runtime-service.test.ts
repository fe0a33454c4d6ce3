import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { stdioAdapterFactory } from "@openaxon/adapter-stdio";
import { seededRng, systemClock } from "@openaxon/core";
import {
  AgentProtocol,
  AxonService,
  OnIdle,
  Origin,
  PermissionPolicy,
  RuntimeService,
  RuntimeStatus,
} from "@openaxon/protocol";
import { RuntimeManager } from "@openaxon/runtime";
import { KvLogStore, MemoryBackend } from "@openaxon/store";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { axonRoutes } from "./axon-service.js";
import { runtimeRoutes } from "./runtime-service.js";

let workdirRoot: string;
let store: KvLogStore;
let runtimes: RuntimeManager;

beforeEach(async () => {
  workdirRoot = await mkdtemp(join(tmpdir(), "openaxon-runtime-service-"));
  store = new KvLogStore({ backend: new MemoryBackend(), clock: systemClock, rng: seededRng(3) });
  runtimes = new RuntimeManager({
    store,
    clock: systemClock,
    rng: seededRng(4),
    adapters: { stdio: stdioAdapterFactory },
    workdirRoot,
    hostEnv: { PATH: process.env.PATH },
  });
  await runtimes.start();
});

afterEach(async () => {
  await runtimes.close();
  await store.close();
  await rm(workdirRoot, { recursive: true, force: true });
});

/** AxonService and RuntimeService on one in-process transport, as startAxonServer serves them. */
function clients() {
  const transport = createRouterTransport((router) => {
    axonRoutes({ store })(router);
    runtimeRoutes({ runtimes })(router);
  });
  return { axons: createClient(AxonService, transport), rts: createClient(RuntimeService, transport) };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ code: "ok" as const, message: "" }),
    (error) => {
      const e = ConnectError.from(error);
      return { code: Code[e.code], message: e.rawMessage };
    },
  );

const catMount = (axonId: string) => ({
  axonId,
  protocol: AgentProtocol.STDIO,
  agentBinary: "cat",
});

describe("RuntimeService", () => {
  it("creates a runtime whose stdio agent answers a user.message, and reports it over every RPC", async () => {
    const { axons, rts } = clients();
    const { axon } = await axons.createAxon({ name: "chat" });
    const { runtime } = await rts.createRuntime({ name: "echo", mounts: [catMount(axon!.id)] });
    expect(runtime).toMatchObject({
      name: "echo",
      status: RuntimeStatus.RUNNING,
      statusReason: "",
      workingDirectory: join(workdirRoot, runtime!.id),
      lifecycle: {
        afterIdle: { idleTimeSeconds: 0, onIdle: OnIdle.SUSPEND },
        resumeTriggers: { axonEvent: true },
      },
    });
    expect(runtime!.id).toMatch(/^rt_/);
    expect(runtime!.mounts[0]).toMatchObject({
      axonId: axon!.id,
      protocol: AgentProtocol.STDIO,
      agentBinary: "cat",
      permissionPolicy: PermissionPolicy.AUTO_ALLOW,
    });
    expect(runtime!.createdAtMs).toBeGreaterThan(0n);

    await axons.publish({
      axonId: axon!.id,
      origin: Origin.USER_EVENT,
      source: "test",
      eventType: "user.message",
      payload: JSON.stringify({ content: "hello, cat" }),
    });
    await vi.waitFor(
      async () => {
        const { events } = await axons.listEvents({ axonId: axon!.id, limit: 100 });
        expect(events.map((e) => e.eventType)).toContain("turn.completed");
      },
      { timeout: 10_000, interval: 20 },
    );
    const { events } = await axons.listEvents({ axonId: axon!.id, limit: 100 });
    const chunks = events
      .filter((e) => e.eventType === "turn.message_chunk")
      .map((e) => JSON.parse(e.payload).text);
    expect(chunks.join("")).toBe("hello, cat");

    expect((await rts.getRuntime({ id: runtime!.id })).runtime?.status).toBe(RuntimeStatus.RUNNING);
    expect((await rts.listRuntimes({})).runtimes.map((r) => r.id)).toEqual([runtime!.id]);
    expect((await rts.suspendRuntime({ id: runtime!.id })).runtime).toMatchObject({
      status: RuntimeStatus.SUSPENDED,
      statusReason: "suspended by request",
    });
    expect((await rts.resumeRuntime({ id: runtime!.id })).runtime?.status).toBe(RuntimeStatus.RUNNING);
    expect((await rts.shutdownRuntime({ id: runtime!.id })).runtime?.status).toBe(RuntimeStatus.SHUTDOWN);
  });

  it("answers bad CreateRuntime requests with INVALID_ARGUMENT or NOT_FOUND and an actionable message", async () => {
    const { axons, rts } = clients();
    const { axon } = await axons.createAxon({});
    const id = axon!.id;
    const cases: [Parameters<typeof rts.createRuntime>[0], string, RegExp][] = [
      [{ mounts: [] }, "InvalidArgument", /mounts is empty: a runtime needs at least one mount/],
      [
        { mounts: [{ ...catMount(id), protocol: AgentProtocol.UNSPECIFIED }] },
        "InvalidArgument",
        /mounts\[0\]\.protocol is required/,
      ],
      [
        { mounts: [{ ...catMount(id), protocol: AgentProtocol.ACP }] },
        "InvalidArgument",
        /protocol acp is not available on this server \(available: stdio\)/,
      ],
      [
        { mounts: [{ ...catMount(id), agentBinary: "" }] },
        "InvalidArgument",
        /mounts\[0\]\.agent_binary is required/,
      ],
      [
        { mounts: [{ ...catMount(id), agentBinary: "no-such-agent-q" }] },
        "InvalidArgument",
        /no-such-agent-q not found on the agent's PATH/,
      ],
      [{ mounts: [catMount("nope")] }, "InvalidArgument", /mounts\[0\]\.axon_id "nope" is not an axon id/],
      [{ mounts: [catMount("axn_00000000000000000000000000")] }, "NotFound", /axon axn_0+ not found/],
      [
        { mounts: [catMount(id)], workingDirectory: "rel" },
        "InvalidArgument",
        /working_directory "rel" must be an absolute path/,
      ],
      [
        { mounts: [{ ...catMount(id), permissionPolicy: 9 as PermissionPolicy }] },
        "InvalidArgument",
        /permission_policy 9/,
      ],
    ];
    for (const [request, code, message] of cases) {
      const result = await failure(rts.createRuntime(request));
      expect(result.code, JSON.stringify(request)).toBe(code);
      expect(result.message).toMatch(message);
    }
    expect((await rts.listRuntimes({})).runtimes).toEqual([]);
  });

  it("answers NOT_FOUND for unknown runtimes, INVALID_ARGUMENT for malformed ids, FAILED_PRECONDITION for impossible transitions", async () => {
    const { axons, rts } = clients();
    const { axon } = await axons.createAxon({});
    expect(await failure(rts.getRuntime({ id: "rt_00000000000000000000000000" }))).toMatchObject({
      code: "NotFound",
      message: expect.stringMatching(/runtime rt_0+ not found; list runtimes with ListRuntimes/),
    });
    expect((await failure(rts.getRuntime({ id: "" }))).code).toBe("InvalidArgument");
    expect((await failure(rts.suspendRuntime({ id: "axn_00000000000000000000000000" }))).code).toBe(
      "InvalidArgument",
    );

    const { runtime } = await rts.createRuntime({ mounts: [catMount(axon!.id)] });
    expect(await failure(rts.createRuntime({ mounts: [catMount(axon!.id)] }))).toMatchObject({
      code: "FailedPrecondition",
      message: expect.stringContaining(`already mounted by runtime ${runtime!.id}`),
    });
    await rts.shutdownRuntime({ id: runtime!.id });
    expect(await failure(rts.suspendRuntime({ id: runtime!.id }))).toMatchObject({
      code: "FailedPrecondition",
      message: expect.stringContaining("is shut down and cannot be suspended"),
    });
    expect((await failure(rts.resumeRuntime({ id: runtime!.id }))).code).toBe("FailedPrecondition");
    expect((await failure(rts.shutdownRuntime({ id: runtime!.id }))).code).toBe("ok");
  });

  it("answers UNAVAILABLE once the runtime manager is closing", async () => {
    const { axons, rts } = clients();
    const { axon } = await axons.createAxon({});
    await runtimes.close();
    expect((await failure(rts.createRuntime({ mounts: [catMount(axon!.id)] }))).code).toBe("Unavailable");
  });
});
