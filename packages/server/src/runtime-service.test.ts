import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { stdioAdapterFactory } from "@openaxon/adapter-stdio";
import { seededRng, systemClock, systemRng } from "@openaxon/core";
import {
  GatewayRegistry,
  memoryRecords,
  SecretBox,
  startCredentialGateway,
  startEgressProxy,
} from "@openaxon/gateway";
import {
  AgentProtocol,
  AuthMechanismType,
  AxonService,
  OnIdle,
  Origin,
  PermissionPolicy,
  RuntimeService,
  RuntimeStatus,
  Sandbox,
  SandboxPolicy,
} from "@openaxon/protocol";
import { RuntimeManager, RuntimeNetwork } from "@openaxon/runtime";
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
      [
        { mounts: [{ ...catMount(id), mcpServers: [{ name: "tools" }] }] },
        "InvalidArgument",
        /^mounts\[0\]\.mcp_servers\[0\]\.transport is required: set stdio/,
      ],
      [
        {
          mounts: [
            {
              ...catMount(id),
              mcpServers: [{ name: "tools", transport: { case: "stdio", value: { command: "cat" } } }],
            },
          ],
        },
        "InvalidArgument",
        /^mounts\[0\]\.mcp_servers: a stdio agent has no channel to receive MCP servers/,
      ],
      [
        { mounts: [{ ...catMount(id), model: "two words" }] },
        "InvalidArgument",
        /^mounts\[0\]\.model "two words" must be printable ASCII/,
      ],
    ];
    for (const [request, code, message] of cases) {
      const result = await failure(rts.createRuntime(request));
      expect(result.code, JSON.stringify(request)).toBe(code);
      expect(result.message).toMatch(message);
    }
    expect((await rts.listRuntimes({})).runtimes).toEqual([]);
  });

  it("keeps a mount's model and exports it to a stdio agent as OPENAXON_MODEL", async () => {
    const { axons, rts } = clients();
    const { axon } = await axons.createAxon({ name: "model" });
    const { runtime } = await rts.createRuntime({
      name: "model",
      mounts: [
        {
          axonId: axon!.id,
          protocol: AgentProtocol.STDIO,
          agentBinary: "sh",
          launchArgs: ["-c", 'cat >/dev/null; printf "model=%s" "$OPENAXON_MODEL"'],
          model: "claude-test-model",
        },
      ],
    });
    expect(runtime!.mounts[0]).toMatchObject({ model: "claude-test-model", mcpServers: [] });
    expect((await rts.getRuntime({ id: runtime!.id })).runtime!.mounts[0]!.model).toBe("claude-test-model");
    await axons.publish({
      axonId: axon!.id,
      origin: Origin.USER_EVENT,
      source: "test",
      eventType: "user.message",
      payload: JSON.stringify({ content: "which model?" }),
    });
    await vi.waitFor(
      async () => {
        const { events } = await axons.listEvents({ axonId: axon!.id, limit: 100 });
        const text = events
          .filter((e) => e.eventType === "turn.message_chunk")
          .map((e) => JSON.parse(e.payload).text)
          .join("");
        expect(text).toBe("model=claude-test-model");
      },
      { timeout: 10_000, interval: 20 },
    );
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

describe("RuntimeService behind the gateway", () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  /** A manager wired as axond wires it, minus the sandbox (none available here). */
  async function gatewayClients() {
    const registry = await GatewayRegistry.open({
      records: memoryRecords(),
      box: new SecretBox(randomBytes(32), systemRng),
      clock: systemClock,
      rng: systemRng,
    });
    const proxy = await startEgressProxy({ clock: systemClock, rng: systemRng });
    const gateway = await startCredentialGateway({ clock: systemClock, rng: systemRng });
    const network = new RuntimeNetwork({
      registry,
      proxy,
      gateway,
      sandbox: { kind: "none", reason: "bubblewrap (bwrap) is not installed" },
      hiddenPaths: [workdirRoot],
    });
    const manager = new RuntimeManager({
      store,
      clock: systemClock,
      rng: seededRng(5),
      adapters: { stdio: stdioAdapterFactory },
      workdirRoot,
      hostEnv: { PATH: process.env.PATH },
      network,
    });
    await manager.start();
    closers.push(
      proxy.close,
      gateway.close,
      async () => network.close(),
      () => manager.close(),
    );
    const transport = createRouterTransport((router) => {
      axonRoutes({ store })(router);
      runtimeRoutes({ runtimes: manager })(router);
    });
    return {
      registry,
      axons: createClient(AxonService, transport),
      rts: createClient(RuntimeService, transport),
    };
  }

  it("reports the resolved policy and binding ids, the sandbox policy and the sandbox the agents run in", async () => {
    const { registry, axons, rts } = await gatewayClients();
    const policy = await registry.createNetworkPolicy({
      name: "agents",
      egress: { allowAll: true, allowedHostnames: [], allowedCidrs: [], allowAgentGateway: true },
    });
    const secret = await registry.createSecret({ name: "anthropic", value: "sk-test-value-123456" });
    const config = await registry.createGatewayConfig({
      name: "anthropic-api",
      endpoint: "https://api.anthropic.com",
      authMechanism: { type: AuthMechanismType.HEADER, key: "x-api-key" },
    });
    const { axon } = await axons.createAxon({});
    const { runtime } = await rts.createRuntime({
      mounts: [catMount(axon!.id)],
      networkPolicyId: "agents",
      gateways: { GWS_ANTHROPIC: { gateway: "anthropic-api", secret: "anthropic" } },
    });
    expect(runtime).toMatchObject({
      status: RuntimeStatus.RUNNING,
      networkPolicyId: policy.id,
      gateways: { GWS_ANTHROPIC: { gateway: config.id, secret: secret.id } },
      sandboxPolicy: SandboxPolicy.AUTO,
      sandbox: Sandbox.NONE,
    });
    expect((await rts.getRuntime({ id: runtime!.id })).runtime).toMatchObject({
      networkPolicyId: policy.id,
      gateways: { GWS_ANTHROPIC: { gateway: config.id, secret: secret.id } },
    });
  });

  it("answers bad network settings with precise codes, listing every unknown reference", async () => {
    const { registry, axons, rts } = await gatewayClients();
    await registry.createSecret({ name: "known-secret", value: "sk-test-value-123456" });
    const { axon } = await axons.createAxon({});
    const mounts = [catMount(axon!.id)];
    const unknown = await failure(
      rts.createRuntime({
        mounts,
        networkPolicyId: "ghost-policy",
        gateways: {
          GWS_A: { gateway: "ghost-gateway", secret: "known-secret" },
          GWS_B: { gateway: "ghost-gateway", secret: "ghost-secret" },
        },
      }),
    );
    expect(unknown.code).toBe("NotFound");
    for (const name of ["ghost-policy", "ghost-gateway", "ghost-secret"])
      expect(unknown.message).toContain(name);

    const badPrefix = await failure(
      rts.createRuntime({
        mounts,
        gateways: { "gws-a": { gateway: "x", secret: "y" }, PATH: { gateway: "", secret: "" } },
      }),
    );
    expect(badPrefix.code).toBe("InvalidArgument");
    expect(badPrefix.message).toMatch(/gws-a.*PATH/s);

    expect(await failure(rts.createRuntime({ mounts, sandboxPolicy: SandboxPolicy.REQUIRED }))).toMatchObject(
      {
        code: "FailedPrecondition",
        message:
          "sandbox_policy is REQUIRED but this server has no sandbox: bubblewrap (bwrap) is not installed",
      },
    );
    expect((await failure(rts.createRuntime({ mounts, sandboxPolicy: 7 as SandboxPolicy }))).code).toBe(
      "InvalidArgument",
    );
    expect((await rts.listRuntimes({})).runtimes).toEqual([]);
  });

  it("refuses network settings on a server without a gateway with FAILED_PRECONDITION", async () => {
    const { axons, rts } = clients();
    const { axon } = await axons.createAxon({});
    expect(
      await failure(rts.createRuntime({ mounts: [catMount(axon!.id)], networkPolicyId: "anything" })),
    ).toMatchObject({
      code: "FailedPrecondition",
      message: expect.stringMatching(/this server has no gateway/),
    });
    const { runtime } = await rts.createRuntime({
      mounts: [catMount(axon!.id)],
      sandboxPolicy: SandboxPolicy.OFF,
    });
    expect(runtime).toMatchObject({ sandboxPolicy: SandboxPolicy.OFF, sandbox: Sandbox.NONE, gateways: {} });
  });
});
