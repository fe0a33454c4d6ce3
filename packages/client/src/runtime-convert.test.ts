import {
  AgentProtocol,
  OnIdle,
  PermissionPolicy,
  type Runtime,
  RuntimeStatus,
  Sandbox,
  SandboxPolicy,
} from "@openaxon/protocol";
import { describe, expect, it } from "vitest";
import { createRuntimeToWire, lifecycleToWire, toRuntime, updateRuntimeToWire } from "./runtime-convert.js";

describe("createRuntimeToWire", () => {
  it("maps the friendly names, the network policy, gateway bindings and sandbox onto the request", () => {
    const wire = createRuntimeToWire({
      name: "secure",
      mounts: [
        {
          axonId: "axn_1",
          protocol: "claude-code",
          agentBinary: "claude",
          launchArgs: ["--model", "x"],
          permissionPolicy: "deny",
        },
      ],
      networkPolicy: "github-only",
      gateways: { GWS_ANTHROPIC: { gateway: "anthropic", secret: "anthropic-key" } },
      sandbox: "required",
    });
    expect(wire).toEqual({
      name: "secure",
      mounts: [
        {
          axonId: "axn_1",
          protocol: AgentProtocol.CLAUDE_CODE,
          agentBinary: "claude",
          launchArgs: ["--model", "x"],
          workingDirectory: "",
          env: {},
          permissionPolicy: PermissionPolicy.DENY,
          mcpServers: [],
          model: "",
        },
      ],
      env: {},
      workingDirectory: "",
      networkPolicyId: "github-only",
      gateways: { GWS_ANTHROPIC: { gateway: "anthropic", secret: "anthropic-key" } },
      sandboxPolicy: SandboxPolicy.REQUIRED,
    });
  });

  it("maps MCP servers to the transport oneof and passes the model", () => {
    const wire = createRuntimeToWire({
      mounts: [
        {
          axonId: "axn_1",
          protocol: "acp",
          agentBinary: "a",
          model: "m",
          mcpServers: [
            { type: "stdio", name: "t", command: "node" },
            { type: "http", name: "r", url: "http://r/mcp", headers: { H: "v" } },
          ],
        },
      ],
    });
    expect(wire.mounts[0]).toMatchObject({
      model: "m",
      mcpServers: [
        { name: "t", transport: { case: "stdio", value: { command: "node", args: [], env: {} } } },
        { name: "r", transport: { case: "http", value: { url: "http://r/mcp", headers: { H: "v" } } } },
      ],
    });
  });

  it("leaves defaults to the server: no lifecycle, unspecified permission and sandbox policies", () => {
    const wire = createRuntimeToWire({ mounts: [{ axonId: "axn_1", protocol: "acp", agentBinary: "a" }] });
    expect(wire.lifecycle).toBeUndefined();
    expect(wire.mounts[0]?.permissionPolicy).toBe(PermissionPolicy.UNSPECIFIED);
    expect(wire.sandboxPolicy).toBe(SandboxPolicy.UNSPECIFIED);
  });

  it("refuses unknown names with the accepted ones", () => {
    expect(() =>
      createRuntimeToWire({
        mounts: [{ axonId: "a", protocol: "acp", agentBinary: "a" }],
        sandbox: "on" as "off",
      }),
    ).toThrow('sandbox must be one of auto, required, off, got "on"');
  });
});

describe("lifecycleToWire", () => {
  it("accepts each form and nothing ambiguous", () => {
    expect(lifecycleToWire({ idleSuspendSeconds: 60 })).toEqual({
      afterIdle: { idleTimeSeconds: 60, onIdle: OnIdle.SUSPEND },
      resumeTriggers: { axonEvent: true },
    });
    expect(lifecycleToWire({ idleShutdownSeconds: 5, resumeOnEvent: false })).toEqual({
      afterIdle: { idleTimeSeconds: 5, onIdle: OnIdle.SHUTDOWN },
      resumeTriggers: { axonEvent: false },
    });
    expect(lifecycleToWire({ idleTimeSeconds: 7, onIdle: "shutdown" }).afterIdle).toEqual({
      idleTimeSeconds: 7,
      onIdle: OnIdle.SHUTDOWN,
    });
    expect(() => lifecycleToWire({ idleSuspendSeconds: 1, onIdle: "suspend" })).toThrow(/one of/);
    expect(() => lifecycleToWire({ idleSuspendSeconds: -1 })).toThrow(/non-negative integer/);
    expect(() => lifecycleToWire({ idleSuspendSeconds: 1.5 })).toThrow(/non-negative integer/);
  });
});

describe("toRuntime", () => {
  it("turns enums into names and int64s into numbers", () => {
    const runtime = toRuntime(
      // The fields a server sends; the rest left at their proto3 defaults.
      {
        id: "rt_1",
        name: "",
        statusReason: "",
        env: {},
        workingDirectory: "/w",
        status: RuntimeStatus.SUSPENDED,
        mounts: [
          {
            axonId: "axn_1",
            protocol: AgentProtocol.STDIO,
            agentBinary: "cat",
            launchArgs: [],
            workingDirectory: "",
            env: {},
            permissionPolicy: PermissionPolicy.UNSPECIFIED,
            mcpServers: [
              {
                name: "t",
                transport: { case: "stdio", value: { command: "/bin/t", args: ["-x"], env: { A: "1" } } },
              },
              { name: "r", transport: { case: "http", value: { url: "http://r/mcp", headers: { H: "v" } } } },
              { name: "future", transport: { case: undefined } },
            ],
            model: "m-1",
          },
        ],
        createdAtMs: 5n,
        updatedAtMs: 6n,
        networkPolicyId: "np_1",
        gateways: { GWS_X: { gateway: "gwc_1", secret: "sec_1" } },
        sandboxPolicy: SandboxPolicy.OFF,
        sandbox: Sandbox.NONE,
      } as unknown as Runtime,
    );
    expect(runtime).toMatchObject({
      status: "suspended",
      mounts: [
        {
          protocol: "stdio",
          permissionPolicy: "auto_allow",
          model: "m-1",
          // A transport this client does not know is left out rather than misreported.
          mcpServers: [
            { type: "stdio", name: "t", command: "/bin/t", args: ["-x"], env: { A: "1" } },
            { type: "http", name: "r", url: "http://r/mcp", headers: { H: "v" } },
          ],
        },
      ],
      lifecycle: { idleTimeSeconds: 0, onIdle: "suspend", resumeOnEvent: true },
      createdAtMs: 5,
      updatedAtMs: 6,
      networkPolicyId: "np_1",
      gateways: { GWS_X: { gateway: "gwc_1", secret: "sec_1" } },
      sandboxPolicy: "off",
      sandbox: "none",
    });
  });
});

describe("updateRuntimeToWire", () => {
  it("names exactly the given fields in the mask", () => {
    const wire = updateRuntimeToWire("rt_1", {
      axonId: "axn_1",
      protocol: "claude-code",
      agentBinary: "claude",
      model: "",
    });
    expect(wire.updateMask.paths).toEqual(["mount.protocol", "mount.agent_binary", "mount.model"]);
    expect(wire.mount).toMatchObject({
      axonId: "axn_1",
      protocol: AgentProtocol.CLAUDE_CODE,
      agentBinary: "claude",
      model: "",
    });
    expect(wire).not.toHaveProperty("lifecycle");
    const runtimeWide = updateRuntimeToWire("rt_1", { env: {}, lifecycle: { idleSuspendSeconds: 60 } });
    expect(runtimeWide.updateMask.paths).toEqual(["env", "lifecycle"]);
    expect(runtimeWide.lifecycle).toMatchObject({
      afterIdle: { idleTimeSeconds: 60, onIdle: OnIdle.SUSPEND },
    });
  });

  it("refuses an update that changes nothing, and unknown names", () => {
    expect(() => updateRuntimeToWire("rt_1", {})).toThrow(/at least one field/);
    expect(() => updateRuntimeToWire("rt_1", { protocol: "smoke" as "acp" })).toThrow(
      /protocol must be one of/,
    );
  });
});
