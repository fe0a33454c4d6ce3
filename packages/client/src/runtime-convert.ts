import { create } from "@bufbuild/protobuf";
import {
  AgentProtocol,
  BrokerMountSchema,
  type CreateRuntimeRequest,
  type McpServer as McpServerMessage,
  McpServerSchema,
  OnIdle,
  PermissionPolicy,
  type Runtime as RuntimeMessage,
  RuntimeStatus,
  Sandbox,
  SandboxPolicy,
} from "@openaxon/protocol";
import { toSafeNumber } from "./convert.js";
import type {
  AgentProtocolName,
  CreateRuntimeInput,
  McpServer,
  McpServerInput,
  PermissionPolicyName,
  Runtime,
  RuntimeHook,
  RuntimeLifecycleInput,
  RuntimeMountInput,
  RuntimeStatusName,
  SandboxName,
  SandboxPolicyName,
  UpdateRuntimeInput,
} from "./runtime-types.js";

const protocolValues: Record<AgentProtocolName, AgentProtocol> = {
  acp: AgentProtocol.ACP,
  "claude-code": AgentProtocol.CLAUDE_CODE,
  stdio: AgentProtocol.STDIO,
  codex: AgentProtocol.CODEX,
  pi: AgentProtocol.PI,
};

const policyValues: Record<PermissionPolicyName, PermissionPolicy> = {
  auto_allow: PermissionPolicy.AUTO_ALLOW,
  ask: PermissionPolicy.ASK,
  deny: PermissionPolicy.DENY,
};

const sandboxPolicyValues: Record<SandboxPolicyName, SandboxPolicy> = {
  auto: SandboxPolicy.AUTO,
  required: SandboxPolicy.REQUIRED,
  off: SandboxPolicy.OFF,
};

const statusNames: Record<RuntimeStatus, RuntimeStatusName> = {
  [RuntimeStatus.UNSPECIFIED]: "unspecified",
  [RuntimeStatus.PROVISIONING]: "provisioning",
  [RuntimeStatus.RUNNING]: "running",
  [RuntimeStatus.SUSPENDING]: "suspending",
  [RuntimeStatus.SUSPENDED]: "suspended",
  [RuntimeStatus.RESUMING]: "resuming",
  [RuntimeStatus.SHUTDOWN]: "shutdown",
  [RuntimeStatus.FAILED]: "failed",
};

const sandboxNames: Record<Sandbox, SandboxName> = {
  [Sandbox.UNSPECIFIED]: "unspecified",
  [Sandbox.NONE]: "none",
  [Sandbox.BUBBLEWRAP]: "bubblewrap",
};

/** Looks `value` up in `table`, naming the field and the accepted values when it is not there. */
function pick<K extends string, V>(table: Record<K, V>, value: string, field: string): V {
  if (!Object.hasOwn(table, value)) {
    throw new TypeError(`${field} must be one of ${Object.keys(table).join(", ")}, got "${value}"`);
  }
  return table[value as K];
}

function nameOf<K extends string>(table: Record<K, number>, value: number, fallback: K): K {
  const entry = Object.entries(table).find(([, v]) => v === value);
  return (entry?.[0] as K | undefined) ?? fallback;
}

function mountToWire(mount: RuntimeMountInput, i: number) {
  return {
    axonId: mount.axonId,
    protocol: pick(protocolValues, mount.protocol, `mounts[${i}].protocol`),
    agentBinary: mount.agentBinary,
    launchArgs: [...(mount.launchArgs ?? [])],
    workingDirectory: mount.workingDirectory ?? "",
    env: { ...mount.env },
    permissionPolicy:
      mount.permissionPolicy === undefined
        ? PermissionPolicy.UNSPECIFIED
        : pick(policyValues, mount.permissionPolicy, `mounts[${i}].permissionPolicy`),
    mcpServers: (mount.mcpServers ?? []).map(mcpServerToWire),
    model: mount.model ?? "",
  };
}

function mcpServerToWire(server: McpServerInput) {
  return server.type === "stdio"
    ? {
        name: server.name,
        transport: {
          case: "stdio" as const,
          value: { command: server.command, args: [...(server.args ?? [])], env: { ...server.env } },
        },
      }
    : {
        name: server.name,
        transport: { case: "http" as const, value: { url: server.url, headers: { ...server.headers } } },
      };
}

function mcpServerFromWire(server: McpServerMessage): McpServer[] {
  const { transport } = server;
  if (transport.case === "stdio") {
    const { command, args, env } = transport.value;
    return [{ type: "stdio", name: server.name, command, args: [...args], env: { ...env } }];
  }
  if (transport.case === "http") {
    const { url, headers } = transport.value;
    return [{ type: "http", name: server.name, url, headers: { ...headers } }];
  }
  return [];
}

/** The friendly lifecycle forms → AfterIdle + ResumeTriggers; ambiguous combinations are refused. */
/** `runtimes.update`'s input as an UpdateRuntimeRequest: every given field and its mask path. */
export function updateRuntimeToWire(id: string, input: UpdateRuntimeInput) {
  const paths: string[] = [];
  const mount = create(BrokerMountSchema, { axonId: input.axonId ?? "" });
  if (input.protocol !== undefined) {
    mount.protocol = pick(protocolValues, input.protocol, "protocol");
    paths.push("mount.protocol");
  }
  if (input.agentBinary !== undefined) {
    mount.agentBinary = input.agentBinary;
    paths.push("mount.agent_binary");
  }
  if (input.launchArgs !== undefined) {
    mount.launchArgs = [...input.launchArgs];
    paths.push("mount.launch_args");
  }
  if (input.mountEnv !== undefined) {
    mount.env = { ...input.mountEnv };
    paths.push("mount.env");
  }
  if (input.model !== undefined) {
    mount.model = input.model;
    paths.push("mount.model");
  }
  if (input.mcpServers !== undefined) {
    mount.mcpServers = input.mcpServers.map((server) => create(McpServerSchema, mcpServerToWire(server)));
    paths.push("mount.mcp_servers");
  }
  if (input.permissionPolicy !== undefined) {
    mount.permissionPolicy = pick(policyValues, input.permissionPolicy, "permissionPolicy");
    paths.push("mount.permission_policy");
  }
  if (input.env !== undefined) paths.push("env");
  if (input.lifecycle !== undefined) paths.push("lifecycle");
  if (paths.length === 0) throw new TypeError("runtimes.update: give at least one field to change");
  return {
    id,
    mount,
    env: { ...input.env },
    ...(input.lifecycle !== undefined && { lifecycle: lifecycleToWire(input.lifecycle) }),
    updateMask: { paths },
  };
}

export function lifecycleToWire(lifecycle: RuntimeLifecycleInput) {
  const forms = [
    lifecycle.idleSuspendSeconds !== undefined,
    lifecycle.idleShutdownSeconds !== undefined,
    lifecycle.idleTimeSeconds !== undefined || lifecycle.onIdle !== undefined,
  ].filter(Boolean).length;
  if (forms > 1) {
    throw new TypeError(
      "lifecycle takes one of idleSuspendSeconds, idleShutdownSeconds, or idleTimeSeconds with onIdle",
    );
  }
  if (lifecycle.onIdle !== undefined && lifecycle.onIdle !== "suspend" && lifecycle.onIdle !== "shutdown") {
    throw new TypeError(`lifecycle.onIdle must be "suspend" or "shutdown", got "${lifecycle.onIdle}"`);
  }
  const seconds =
    lifecycle.idleSuspendSeconds ?? lifecycle.idleShutdownSeconds ?? lifecycle.idleTimeSeconds ?? 0;
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 0xffff_ffff) {
    throw new TypeError(`idle seconds must be a non-negative integer, got ${seconds}`);
  }
  const onIdle =
    lifecycle.idleShutdownSeconds !== undefined || lifecycle.onIdle === "shutdown"
      ? OnIdle.SHUTDOWN
      : OnIdle.SUSPEND;
  return {
    afterIdle: { idleTimeSeconds: seconds, onIdle },
    resumeTriggers: { axonEvent: lifecycle.resumeOnEvent ?? true },
    ...(lifecycle.beforeSuspend && { beforeSuspend: hookToWire(lifecycle.beforeSuspend) }),
    ...(lifecycle.afterResume && { afterResume: hookToWire(lifecycle.afterResume) }),
  };
}

// The server checks argv and deadline and names the field; here only the shape is copied.
function hookToWire(hook: RuntimeHook): { command: string[]; deadlineMs: number } {
  return { command: [...hook.command], deadlineMs: hook.deadlineMs };
}

export function createRuntimeToWire(input: CreateRuntimeInput): Omit<
  Partial<CreateRuntimeRequest>,
  "$typeName" | "mounts" | "lifecycle" | "gateways"
> & {
  mounts: ReturnType<typeof mountToWire>[];
  lifecycle?: ReturnType<typeof lifecycleToWire>;
  gateways: Record<string, { gateway: string; secret: string }>;
} {
  return {
    name: input.name ?? "",
    mounts: input.mounts.map(mountToWire),
    ...(input.lifecycle && { lifecycle: lifecycleToWire(input.lifecycle) }),
    env: { ...input.env },
    workingDirectory: input.workingDirectory ?? "",
    networkPolicyId: input.networkPolicy ?? "",
    gateways: Object.fromEntries(
      Object.entries(input.gateways ?? {}).map(([prefix, binding]) => [
        prefix,
        { gateway: binding.gateway, secret: binding.secret },
      ]),
    ),
    sandboxPolicy:
      input.sandbox === undefined
        ? SandboxPolicy.UNSPECIFIED
        : pick(sandboxPolicyValues, input.sandbox, "sandbox"),
  };
}

export function toRuntime(message: RuntimeMessage | undefined): Runtime {
  if (!message) throw new TypeError("server response is missing the runtime");
  return {
    id: message.id,
    name: message.name,
    status: statusNames[message.status] ?? "unspecified",
    statusReason: message.statusReason,
    mounts: message.mounts.map((mount) => ({
      axonId: mount.axonId,
      protocol: nameOf(protocolValues, mount.protocol, "unspecified" as AgentProtocolName),
      agentBinary: mount.agentBinary,
      launchArgs: [...mount.launchArgs],
      workingDirectory: mount.workingDirectory,
      env: { ...mount.env },
      // Unspecified means auto-allow on the server.
      permissionPolicy: nameOf(policyValues, mount.permissionPolicy, "auto_allow"),
      mcpServers: mount.mcpServers.flatMap(mcpServerFromWire),
      model: mount.model,
    })),
    lifecycle: {
      idleTimeSeconds: message.lifecycle?.afterIdle?.idleTimeSeconds ?? 0,
      onIdle: message.lifecycle?.afterIdle?.onIdle === OnIdle.SHUTDOWN ? "shutdown" : "suspend",
      resumeOnEvent: message.lifecycle?.resumeTriggers?.axonEvent ?? true,
      ...(message.lifecycle?.beforeSuspend && { beforeSuspend: hookToWire(message.lifecycle.beforeSuspend) }),
      ...(message.lifecycle?.afterResume && { afterResume: hookToWire(message.lifecycle.afterResume) }),
    },
    env: { ...message.env },
    workingDirectory: message.workingDirectory,
    createdAtMs: toSafeNumber(message.createdAtMs, "created_at_ms"),
    updatedAtMs: toSafeNumber(message.updatedAtMs, "updated_at_ms"),
    networkPolicyId: message.networkPolicyId,
    gateways: Object.fromEntries(
      Object.entries(message.gateways).map(([prefix, binding]) => [
        prefix,
        { gateway: binding.gateway, secret: binding.secret },
      ]),
    ),
    // Unspecified means auto on the server.
    sandboxPolicy: nameOf(sandboxPolicyValues, message.sandboxPolicy, "auto"),
    sandbox: sandboxNames[message.sandbox] ?? "unspecified",
  };
}
