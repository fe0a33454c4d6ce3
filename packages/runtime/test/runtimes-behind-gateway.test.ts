// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} references in env values are part of the contract.
import { Origin } from "@openaxon/broker";
import { RegistryInUseError, RegistryNotFoundError, RegistryValidationError } from "@openaxon/gateway";
import type { SandboxAvailability } from "@openaxon/runtime";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidRuntimeError, RuntimePreconditionError } from "../src/errors.js";
import { RuntimeAuditSink } from "../src/runtime-audit-sink.js";
import { runtimeReferencesIn } from "../src/runtime-references.js";
import {
  httpCall,
  type NetworkFixture,
  networkFixture,
  SECRET,
  startUpstream,
} from "../src/test-support/network-fixture.js";
import { type RuntimeFixture, runtimeFixture } from "../src/test-support/runtime-fixture.js";

// A RuntimeManager wired to a real egress proxy, credential gateway and registry (real sockets), with
// a scripted agent: what runtimes store, which env their agents get, and when tokens stop working.

const BWRAP: SandboxAvailability = {
  kind: "bubblewrap",
  bwrapPath: "/usr/bin/bwrap",
  socatPath: "/usr/bin/socat",
  version: "0.8",
};

let net: NetworkFixture;
let f: RuntimeFixture;
let upstream: Awaited<ReturnType<typeof startUpstream>>;
let audits: RuntimeAuditSink;

beforeEach(async () => {
  upstream = await startUpstream();
  // In-use checks read the runtime records in the store, as axond wires them.
  net = await networkFixture({ referencedBy: (kind, id) => runtimeReferencesIn(f.store)(kind, id) });
  f = await runtimeFixture(undefined, { network: net.network });
  audits = new RuntimeAuditSink(f.store);
  net.onAudit((event) => audits.publish(event));
});
afterEach(async () => {
  await f.cleanup();
  await net.close();
  await upstream.close();
});

async function policyAndBinding() {
  const policy = await net.registry.createNetworkPolicy({
    name: "loop",
    egress: {
      allowAll: false,
      allowedHostnames: [],
      allowedCidrs: [{ cidr: "127.0.0.1/32", ports: [{ start: upstream.port, end: upstream.port }] }],
      allowAgentGateway: true,
    },
  });
  const binding = await net.binding("api", upstream.url);
  return { policy, binding };
}

const lastEnv = () => f.agent.starts.at(-1)!.env;

describe("runtimes behind the gateway", () => {
  it("stores the resolved ids and gives the agent proxy, binding variables and expanded references — never the secret", async () => {
    const { policy, binding } = await policyAndBinding();
    const rt = await f.create({
      networkPolicy: "loop",
      gateways: { GWS_API: binding.input },
      env: { ANTHROPIC_BASE_URL: "${GWS_API_URL}" },
      mounts: [f.mount({ env: { ANTHROPIC_API_KEY: "${GWS_API}" } })],
    });
    expect(rt).toMatchObject({
      status: "running",
      networkPolicyId: policy.id,
      gateways: { GWS_API: { gatewayId: binding.config.id, secretId: binding.secret.id } },
      sandboxPolicy: "auto",
      sandbox: "none",
      env: { ANTHROPIC_BASE_URL: "${GWS_API_URL}" },
    });
    const env = lastEnv();
    expect(env.ANTHROPIC_BASE_URL).toBe(env.GWS_API_URL);
    expect(env.ANTHROPIC_API_KEY).toBe(env.GWS_API);
    expect(env.GWS_API).toMatch(/^gws_/);
    expect(env.HTTPS_PROXY).toContain(`${rt.id}:`);
    expect(JSON.stringify(env)).not.toContain(SECRET);

    // The agent's token works at its binding, and the upstream gets the real secret.
    const response = await httpCall(`${env.ANTHROPIC_BASE_URL}/v1/messages`, {
      headers: { "x-api-key": env.ANTHROPIC_API_KEY! },
    });
    expect(response.status).toBe(200);
    expect(upstream.requests[0]!.headers["x-api-key"]).toBe(SECRET);
    // So does its proxy, under its policy.
    expect((await httpCall(`${upstream.url}/through-proxy`, { proxy: env.HTTP_PROXY! })).status).toBe(200);
  });

  it("refuses bad references up front, listing them, and creates nothing", async () => {
    const { binding } = await policyAndBinding();
    const unknown = f.create({
      networkPolicy: "no-such-policy",
      gateways: { GWS_A: { gateway: "ghost", secret: "phantom" }, GWS_B: binding.input },
    });
    await expect(unknown).rejects.toThrow(RegistryNotFoundError);
    await expect(unknown).rejects.toThrow(/no-such-policy.*ghost.*phantom/);
    await expect(f.create({ gateways: { "lower-case": binding.input } })).rejects.toThrow(
      RegistryValidationError,
    );
    await expect(f.create({ gateways: { GWS_A: binding.input }, env: { GWS_A_URL: "x" } })).rejects.toThrow(
      InvalidRuntimeError,
    );
    await expect(f.create({ gateways: { GWS_A: binding.input }, env: { GWS_A_URL: "x" } })).rejects.toThrow(
      "env: GWS_A_URL is set by the gateway binding GWS_A",
    );
    await expect(f.create({ sandboxPolicy: "required" })).rejects.toThrow(RuntimePreconditionError);
    expect(f.manager.listRuntimes()).toEqual([]);
  });

  it("revokes tokens and proxy credential on suspend and shutdown; a resume issues new ones; in-use deletes wait for shutdown", async () => {
    const { binding } = await policyAndBinding();
    const rt = await f.create({ networkPolicy: "loop", gateways: { GWS_API: binding.input } });
    const first = { ...lastEnv() };
    const call = (env: Record<string, string>) =>
      httpCall(`${env.GWS_API_URL}/v1/x`, { headers: { "x-api-key": env.GWS_API! } });
    expect((await call(first)).status).toBe(200);
    expect(f.manager.using("secret", binding.secret.id)).toEqual([rt.id]);
    await expect(net.registry.deleteSecret(binding.secret.id)).rejects.toThrow(RegistryInUseError);
    await expect(net.registry.deleteNetworkPolicy("loop")).rejects.toThrow(RegistryInUseError);

    await f.manager.suspendRuntime(rt.id);
    expect((await call(first)).status).toBe(403);
    expect((await httpCall(`${upstream.url}/p`, { proxy: first.HTTP_PROXY! })).status).toBe(407);

    await f.manager.resumeRuntime(rt.id);
    const second = { ...lastEnv() };
    expect(second.GWS_API).not.toBe(first.GWS_API);
    expect((await call(second)).status).toBe(200);
    expect((await call(first)).status).toBe(403);

    await f.manager.shutdownRuntime(rt.id);
    expect((await call(second)).status).toBe(403);
    expect(f.manager.using("secret", binding.secret.id)).toEqual([]);
    await net.registry.deleteSecret(binding.secret.id);
    await net.registry.deleteNetworkPolicy("loop");
  });

  it("publishes allowed and denied accesses as SYSTEM gateway.* events in the runtime's axon, without the secret", async () => {
    const { binding } = await policyAndBinding();
    const rt = await f.create({ networkPolicy: "loop", gateways: { GWS_API: binding.input } });
    const env = lastEnv();
    await httpCall(`${upstream.url}/ok`, { proxy: env.HTTP_PROXY! });
    await httpCall("http://127.0.0.1:9/refused", { proxy: env.HTTP_PROXY! });
    await httpCall(`${env.GWS_API_URL}/v1`, { headers: { "x-api-key": env.GWS_API! } });
    await f.manager.shutdownRuntime(rt.id);
    // A revoked token used after the shutdown is still attributed to the runtime.
    await httpCall(`${env.GWS_API_URL}/v1`, { headers: { "x-api-key": env.GWS_API! } });
    await audits.published();

    const events = (await f.events()).filter((e) => e.eventType.startsWith("gateway."));
    expect(events.every((e) => e.origin === Origin.System && e.source === "gateway")).toBe(true);
    expect(events.map((e) => [e.eventType, JSON.parse(e.payload)])).toMatchObject([
      [
        "gateway.allowed",
        { runtime_id: rt.id, host: "127.0.0.1", port: upstream.port, rule: "cidr:127.0.0.1/32" },
      ],
      ["gateway.denied", { runtime_id: rt.id, host: "127.0.0.1", port: 9 }],
      ["gateway.allowed", { runtime_id: rt.id, rule: "binding:GWS_API", binding: "GWS_API" }],
      ["gateway.denied", { runtime_id: rt.id, rule: "deny:revoked", binding: "GWS_API" }],
    ]);
    const all = JSON.stringify(await f.events());
    expect(all).not.toContain(SECRET);
  });

  it("a runtime whose sandbox requirement the server can no longer meet fails to start with the reason", async () => {
    const sandboxed = await networkFixture({ sandbox: BWRAP });
    try {
      await f.restart({ extra: { network: sandboxed.network } });
      const rt = await f.create({ sandboxPolicy: "required" });
      expect(rt).toMatchObject({ status: "running", sandboxPolicy: "required", sandbox: "bubblewrap" });
      expect(f.launches.at(-1)!.agentBinary).toBe("/usr/bin/bwrap");

      // The server comes back without bubblewrap.
      await f.restart({ extra: { network: net.network } });
      const after = f.manager.getRuntime(rt.id);
      expect(after.status).toBe("failed");
      expect(after.statusReason).toBe(
        "sandbox_policy is REQUIRED but this server has no sandbox: sandbox disabled by configuration",
      );
    } finally {
      await sandboxed.close();
    }
  });

  it("without a gateway, network settings and a required sandbox are refused; auto runs unsandboxed", async () => {
    await f.restart({ extra: { network: undefined } });
    await expect(f.create({ networkPolicy: "loop" })).rejects.toThrow(/this server has no gateway/);
    await expect(f.create({ sandboxPolicy: "required" })).rejects.toThrow(RuntimePreconditionError);
    const rt = await f.create({});
    expect(rt).toMatchObject({ status: "running", sandbox: "none", sandboxPolicy: "auto", gateways: {} });
    expect(lastEnv().HTTP_PROXY).toBeUndefined();
  });
});
