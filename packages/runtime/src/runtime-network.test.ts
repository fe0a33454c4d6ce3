import { RegistryNotFoundError, RegistryValidationError } from "@openaxon/gateway";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RuntimePreconditionError } from "./errors.js";
import { RuntimeNetwork } from "./runtime-network.js";
import type { RuntimeRecord } from "./runtime-record.js";
import {
  httpCall,
  type NetworkFixture,
  networkFixture,
  SECRET,
  startUpstream,
} from "./test-support/network-fixture.js";

const BWRAP = {
  kind: "bubblewrap",
  bwrapPath: "/usr/bin/bwrap",
  socatPath: "/usr/bin/socat",
  version: "0.8",
} as const;

let net: NetworkFixture;
let upstream: Awaited<ReturnType<typeof startUpstream>>;
let other: Awaited<ReturnType<typeof startUpstream>>;

beforeEach(async () => {
  net = await networkFixture();
  upstream = await startUpstream();
  other = await startUpstream();
});
afterEach(async () => {
  await net.close();
  await upstream.close();
  await other.close();
});

function record(overrides: Partial<RuntimeRecord> = {}): RuntimeRecord {
  return {
    id: "rt_0000000000000000000000001",
    name: "r",
    status: "provisioning",
    statusReason: "",
    mounts: [],
    lifecycle: { idleTimeSeconds: 0, onIdle: "suspend", resumeOnAxonEvent: true },
    env: {},
    workingDirectory: "/w",
    createdAtMs: 0,
    updatedAtMs: 0,
    ...overrides,
  };
}

/** A policy that opens exactly `port` on 127.0.0.1 (loopback is closed by default). */
const loopbackPolicy = (name: string, port: number) =>
  net.registry.createNetworkPolicy({
    name,
    egress: {
      allowAll: false,
      allowedHostnames: [],
      allowedCidrs: [{ cidr: "127.0.0.1/32", ports: [{ start: port, end: port }] }],
      allowAgentGateway: true,
    },
  });

describe("RuntimeNetwork.sandboxFor", () => {
  it("auto sandboxes when bubblewrap is there and runs without otherwise; required refuses; off never", async () => {
    expect(net.network.sandboxFor("auto")).toEqual({
      kind: "none",
      reason: "sandbox disabled by configuration",
    });
    expect(net.network.sandboxFor("off").kind).toBe("none");
    expect(() => net.network.sandboxFor("required")).toThrow(RuntimePreconditionError);
    expect(() => net.network.sandboxFor("required")).toThrow(
      "sandbox_policy is REQUIRED but this server has no sandbox: sandbox disabled by configuration",
    );

    const sandboxed = await networkFixture({ sandbox: BWRAP, sandboxRequired: true });
    try {
      expect(sandboxed.network.sandboxFor("auto").kind).toBe("bubblewrap");
      expect(sandboxed.network.sandboxFor("required").kind).toBe("bubblewrap");
      expect(() => sandboxed.network.sandboxFor("off")).toThrow(/--sandbox required.*OFF is not allowed/);
    } finally {
      await sandboxed.close();
    }
  });
});

describe("RuntimeNetwork.resolve", () => {
  it("stores ids, not the names given, and reports every unknown reference at once", async () => {
    const policy = await loopbackPolicy("loop", upstream.port);
    const a = await net.binding("api", upstream.url);
    expect(await net.network.resolve({ networkPolicy: "loop", gateways: { GWS_API: a.input } })).toEqual({
      networkPolicyId: policy.id,
      gateways: { GWS_API: { gatewayId: a.config.id, secretId: a.secret.id } },
    });
    expect(await net.network.resolve({})).toEqual({ gateways: {} });

    const missing = net.network.resolve({
      networkPolicy: "nope",
      gateways: { GWS_X: { gateway: "ghost", secret: "phantom" } },
    });
    await expect(missing).rejects.toThrow(RegistryNotFoundError);
    await expect(missing).rejects.toThrow(/"nope".*"ghost".*"phantom"/);
    await expect(net.network.resolve({ gateways: { "bad-prefix": a.input } })).rejects.toThrow(
      RegistryValidationError,
    );
  });
});

describe("RuntimeNetwork.attach", () => {
  it("registers the runtime with the proxy under its policy; release revokes the credential", async () => {
    const policy = await loopbackPolicy("loop", upstream.port);
    const attached = await net.network.attach(record({ networkPolicyId: policy.id }));
    expect(attached.sandbox).toBe("none");
    const proxy = attached.env.HTTP_PROXY!;
    expect(proxy).toMatch(
      new RegExp(`^http://rt_0000000000000000000000001:[^@]+@127\\.0\\.0\\.1:${net.proxy.port}$`),
    );
    for (const name of ["HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"]) {
      expect(attached.env[name]).toBe(proxy);
    }
    expect(attached.env.NO_PROXY).toBe("127.0.0.1,localhost,::1");

    expect(await httpCall(`${upstream.url}/allowed`, { proxy })).toMatchObject({ status: 200, body: "ok" });
    expect((await httpCall(`${other.url}/denied`, { proxy })).status).toBe(403);
    expect(other.requests).toEqual([]);
    expect(net.audits.map((e) => [e.eventType, "port" in e.payload ? e.payload.port : 0])).toEqual([
      ["gateway.allowed", upstream.port],
      ["gateway.denied", other.port],
    ]);

    attached.release();
    expect((await httpCall(`${upstream.url}/after`, { proxy })).status).toBe(407);
    expect(upstream.requests.map((r) => r.url)).toEqual(["/allowed"]);
  });

  it("issues fresh gateway tokens per start that carry the real secret upstream; old ones die", async () => {
    const a = await net.binding("api", upstream.url);
    const rt = record({ gateways: { GWS_API: { gatewayId: a.config.id, secretId: a.secret.id } } });
    const first = await net.network.attach(rt);
    const url = first.env.GWS_API_URL!;
    const token = first.env.GWS_API!;
    expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${net.gateway.port}/b/gwb_`));
    expect(token).toMatch(/^gws_/);
    expect(first.bindingVariables).toEqual({ GWS_API: token, GWS_API_URL: url });
    expect(JSON.stringify(first.env)).not.toContain(SECRET);

    expect(await httpCall(`${url}/v1/messages`, { headers: { "x-api-key": token } })).toMatchObject({
      status: 200,
    });
    expect(upstream.requests[0]).toMatchObject({ url: "/v1/messages", headers: { "x-api-key": SECRET } });

    // A second start (resume) replaces the tokens; the first start's are refused.
    const second = await net.network.attach(rt);
    expect(second.env.GWS_API).not.toBe(token);
    expect((await httpCall(`${url}/x`, { headers: { "x-api-key": token } })).status).toBe(403);
    // The first start's handle is stale: releasing it must not revoke the second start's tokens.
    first.release();
    const fresh = { headers: { "x-api-key": second.env.GWS_API! } };
    expect((await httpCall(`${second.env.GWS_API_URL}/y`, fresh)).status).toBe(200);
    second.release();
    expect((await httpCall(`${second.env.GWS_API_URL}/z`, fresh)).status).toBe(403);
    expect(net.audits.filter((e) => e.eventType === "gateway.denied").map((e) => e.payload)).toMatchObject([
      { runtime_id: rt.id, rule: "deny:revoked" },
      { runtime_id: rt.id, rule: "deny:revoked" },
    ]);
  });

  it("applies a policy update to running runtimes at once", async () => {
    const policy = await loopbackPolicy("loop", upstream.port);
    const attached = await net.network.attach(record({ networkPolicyId: policy.id }));
    const proxy = attached.env.HTTP_PROXY!;
    expect((await httpCall(`${other.url}/before`, { proxy })).status).toBe(403);
    await net.registry.updateNetworkPolicy("loop", {
      egress: {
        allowAll: false,
        allowedHostnames: [],
        allowedCidrs: [{ cidr: "127.0.0.1/32", ports: [{ start: other.port, end: other.port }] }],
        allowAgentGateway: true,
      },
    });
    expect((await httpCall(`${other.url}/after`, { proxy })).status).toBe(200);
    expect((await httpCall(`${upstream.url}/no-longer`, { proxy })).status).toBe(403);
    attached.release();
  });

  it("warns when agents that could be sandboxed run without one, but not when the runtime opted out", async () => {
    const warnings: [object, string][] = [];
    const logger = {
      info() {},
      error() {},
      warn: (fields: object, message: string) => warnings.push([fields, message]),
    };
    const unsandboxed = await networkFixture({
      sandbox: { kind: "none", reason: "bubblewrap (bwrap) is not installed" },
      logger,
    });
    try {
      const auto = await unsandboxed.network.attach(record());
      expect(auto.sandbox).toBe("none");
      expect(warnings).toEqual([
        [
          { runtimeId: "rt_0000000000000000000000001", reason: "bubblewrap (bwrap) is not installed" },
          "agents run without a sandbox: they can reach the network directly, the network policy is advisory",
        ],
      ]);
      auto.release();
      (await unsandboxed.network.attach(record({ sandboxPolicy: "off" }))).release();
      expect(warnings).toHaveLength(1);
    } finally {
      await unsandboxed.close();
    }
  });

  it("refuses to start when the sandbox policy cannot be met or a reference is gone, registering nothing", async () => {
    await expect(net.network.attach(record({ sandboxPolicy: "required" }))).rejects.toThrow(
      RuntimePreconditionError,
    );
    await expect(
      net.network.attach(record({ networkPolicyId: "np_00000000000000000000000000" })),
    ).rejects.toThrow(RegistryNotFoundError);
    expect(net.proxy.openTunnels("rt_0000000000000000000000001")).toBe(0);
  });
});

describe("AttachedNetwork.launch", () => {
  it("wraps a sandboxed agent in bwrap with the bridges, the data dir hidden, the home writable", async () => {
    const sandboxed = await networkFixture({ sandbox: BWRAP });
    try {
      const a = await sandboxed.binding("api", upstream.url);
      const attached = await sandboxed.network.attach(
        record({ gateways: { GWS_API: { gatewayId: a.config.id, secretId: a.secret.id } } }),
      );
      expect(attached.sandbox).toBe("bubblewrap");
      // Inside, the proxy and gateway are the bridges' loopback ports.
      expect(attached.env.HTTP_PROXY).toMatch(/@127\.0\.0\.1:3128$/);
      expect(attached.env.GWS_API_URL).toMatch(/^http:\/\/127\.0\.0\.1:3129\/b\/gwb_/);

      const launch = attached.launch({
        protocol: "stdio",
        agentBinary: "sh",
        resolvedBinary: "/bin/sh",
        launchArgs: ["--jsonl", "-c", "echo hi"],
        cwd: "/srv/work",
        home: "/srv/home",
      });
      expect(launch.agentBinary).toBe("/usr/bin/bwrap");
      // The runtime knows nothing of adapter flags: it wraps the mount's argv whole and hands the
      // adapter the unwrapped argv and the wrapper, to rebuild a command of its own.
      expect(launch.wrapping?.argv).toEqual(["/bin/sh", "--jsonl", "-c", "echo hi"]);
      expect(launch.wrapping?.wrap(["/bin/sh", "-c", "echo hi"]).launchArgs.slice(-3)).toEqual([
        "/bin/sh",
        "-c",
        "echo hi",
      ]);
      const line = launch.launchArgs.join(" ");
      expect(line).toContain(`--tmpfs ${sandboxed.runDir}`);
      expect(line).toContain("--bind /srv/work /srv/work");
      expect(line).toContain("--bind /srv/home /srv/home");
      expect(line).toContain(`UNIX-CONNECT:${sandboxed.proxy.unixSocketPath}`);
      expect(line).toContain(`UNIX-CONNECT:${sandboxed.gateway.unixSocketPath}`);
      expect(launch.launchArgs.slice(-4)).toEqual(["/bin/sh", "--jsonl", "-c", "echo hi"]);
      attached.release();

      // Without bindings the gateway is not bridged in; a home inside the workdir needs no bind.
      const plain = await sandboxed.network.attach(record());
      const acp = plain.launch({
        protocol: "acp",
        agentBinary: "agent",
        resolvedBinary: "/usr/bin/agent",
        launchArgs: ["--jsonl"],
        cwd: "/srv/work",
        home: "/srv/work/.home",
      });
      expect(acp.launchArgs.join(" ")).not.toContain(sandboxed.gateway.unixSocketPath!);
      expect(acp.launchArgs.join(" ")).not.toContain("--bind /srv/work/.home");
      expect(acp.launchArgs.slice(-2)).toEqual(["/usr/bin/agent", "--jsonl"]);
      plain.release();
    } finally {
      await sandboxed.close();
    }
  });

  it("launches an unsandboxed agent as configured", async () => {
    const attached = await net.network.attach(record());
    expect(
      attached.launch({
        protocol: "acp",
        agentBinary: "claude-code-acp",
        resolvedBinary: "/usr/local/bin/claude-code-acp",
        launchArgs: ["--x"],
        cwd: "/w",
      }),
    ).toEqual({ agentBinary: "claude-code-acp", launchArgs: ["--x"] });
    attached.release();
  });
});

describe("RuntimeNetwork.references", () => {
  it("names the runtimes, not shut down, that use a policy, config or secret", () => {
    const uses = record({
      id: "rt_a",
      status: "suspended",
      networkPolicyId: "np_1",
      gateways: { GWS: { gatewayId: "gwc_1", secretId: "sec_1" } },
    });
    const gone = record({ id: "rt_b", status: "shutdown", networkPolicyId: "np_1" });
    const records = [uses, gone, record({ id: "rt_c" })];
    expect(RuntimeNetwork.references(records, "network_policy", "np_1")).toEqual(["rt_a"]);
    expect(RuntimeNetwork.references(records, "gateway_config", "gwc_1")).toEqual(["rt_a"]);
    expect(RuntimeNetwork.references(records, "secret", "sec_1")).toEqual(["rt_a"]);
    expect(RuntimeNetwork.references(records, "secret", "sec_2")).toEqual([]);
  });
});
