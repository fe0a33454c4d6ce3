import { create } from "@bufbuild/protobuf";
import { isId } from "@openaxon/core";
import {
  AgentProtocol,
  type BrokerMount,
  BrokerMountSchema,
  type CreateRuntimeRequest,
  type Hook,
  type Lifecycle,
  type McpServer,
  OnIdle,
  PermissionPolicy,
  SandboxPolicy,
  type UpdateRuntimeRequest,
} from "@openaxon/protocol";
import type {
  CreateRuntimeInput,
  HookSpec,
  LifecycleSpec,
  McpServerSpec,
  MountChanges,
  MountSpec,
  RuntimeUpdate,
} from "@openaxon/runtime";
import { invalidArgument } from "./errors.js";
import { requireAxonId } from "./validate-fields.js";

const PROTOCOLS: Partial<Record<AgentProtocol, MountSpec["protocol"]>> = {
  [AgentProtocol.ACP]: "acp",
  [AgentProtocol.CLAUDE_CODE]: "claude-code",
  [AgentProtocol.STDIO]: "stdio",
  [AgentProtocol.CODEX]: "codex",
  [AgentProtocol.PI]: "pi",
};

/** Malformed runtime ids are INVALID_ARGUMENT; well-formed unknown ones are NOT_FOUND (from the manager). */
export function requireRuntimeId(id: string, field = "id"): string {
  if (id === "") throw invalidArgument(`${field} is required (runtime ids look like rt_…)`);
  if (!isId("rt", id)) {
    const shown = id.length > 64 ? `${id.slice(0, 64)}…` : id;
    throw invalidArgument(
      `${field} ${JSON.stringify(shown)} is not a runtime id (runtime ids look like rt_…)`,
    );
  }
  return id;
}

/**
 * The wire request as the runtime manager's input. Checks here are the ones only the wire can get
 * wrong (ids, enums); the manager checks the rest (mounts, binaries, directories, env names), and
 * the gateway registry the network references (prefixes, unknown policies, configs, secrets).
 */
export function validateCreateRuntime(request: CreateRuntimeRequest): CreateRuntimeInput {
  return {
    name: request.name,
    mounts: request.mounts.map(mountFromProto),
    lifecycle: lifecycleFromProto(request.lifecycle),
    env: { ...request.env },
    ...(request.workingDirectory !== "" && { workingDirectory: request.workingDirectory }),
    ...(request.networkPolicyId !== "" && { networkPolicy: request.networkPolicyId }),
    gateways: Object.fromEntries(
      Object.entries(request.gateways).map(([prefix, binding]) => [
        prefix,
        { gateway: binding.gateway, secret: binding.secret },
      ]),
    ),
    sandboxPolicy: sandboxPolicyFromProto(request.sandboxPolicy),
  };
}

/** The update_mask paths UpdateRuntime accepts. */
export const UPDATE_RUNTIME_PATHS = [
  "mount.protocol",
  "mount.agent_binary",
  "mount.launch_args",
  "mount.env",
  "mount.model",
  "mount.mcp_servers",
  "mount.permission_policy",
  "env",
  "lifecycle",
] as const;

/**
 * The runtime id and the update an UpdateRuntime asks for; every mask path is checked first. The
 * manager checks the merged configuration (binaries, env names, MCP servers) as at creation.
 */
export function validateUpdateRuntime(request: UpdateRuntimeRequest): { id: string; update: RuntimeUpdate } {
  const id = requireRuntimeId(request.id);
  const paths = request.updateMask?.paths ?? [];
  if (paths.length === 0) {
    throw invalidArgument(
      `update_mask is required: name the fields to change (${UPDATE_RUNTIME_PATHS.join(", ")}); ` +
        "fields not named are left as they are",
    );
  }
  const mount = request.mount ?? create(BrokerMountSchema);
  const changes: { -readonly [K in keyof MountChanges]: MountChanges[K] } = {};
  let env: Record<string, string> | undefined;
  let lifecycle: LifecycleSpec | undefined;
  for (const path of paths) {
    switch (path) {
      case "mount.protocol":
        changes.protocol = protocolFromProto(mount.protocol, "mount.protocol");
        break;
      case "mount.agent_binary":
        changes.agentBinary = mount.agentBinary;
        break;
      case "mount.launch_args":
        changes.launchArgs = [...mount.launchArgs];
        break;
      case "mount.env":
        changes.env = { ...mount.env };
        break;
      case "mount.model":
        // Empty: back to the agent's default.
        changes.model = mount.model === "" ? undefined : mount.model;
        break;
      case "mount.mcp_servers":
        changes.mcpServers = mount.mcpServers.map((server, j) =>
          mcpServerFromProto(server, `mount.mcp_servers[${j}]`),
        );
        break;
      case "mount.permission_policy":
        changes.permissionPolicy = policyFromProto(mount.permissionPolicy, "mount.permission_policy");
        break;
      case "env":
        env = { ...request.env };
        break;
      case "lifecycle":
        lifecycle = lifecycleFromProto(request.lifecycle);
        break;
      default:
        throw invalidArgument(
          `update_mask path ${JSON.stringify(path.slice(0, 64))} is not one UpdateRuntime changes; ` +
            `use ${UPDATE_RUNTIME_PATHS.join(", ")}`,
        );
    }
  }
  const mountNamed = Object.keys(changes).length > 0;
  return {
    id,
    update: {
      ...(mount.axonId !== "" && { axonId: requireAxonId(mount.axonId, "mount.axon_id") }),
      ...(mountNamed && { mount: changes }),
      ...(env !== undefined && { env }),
      ...(lifecycle !== undefined && { lifecycle }),
    },
  };
}

function protocolFromProto(value: AgentProtocol, field: string): MountSpec["protocol"] {
  const protocol = PROTOCOLS[value];
  if (!protocol) {
    throw invalidArgument(
      value === AgentProtocol.UNSPECIFIED
        ? `${field} is required: AGENT_PROTOCOL_ACP, AGENT_PROTOCOL_CLAUDE_CODE or AGENT_PROTOCOL_STDIO`
        : `${field} ${value} is not a known agent protocol`,
    );
  }
  return protocol;
}

function sandboxPolicyFromProto(policy: SandboxPolicy): NonNullable<CreateRuntimeInput["sandboxPolicy"]> {
  switch (policy) {
    case SandboxPolicy.UNSPECIFIED:
    case SandboxPolicy.AUTO:
      return "auto";
    case SandboxPolicy.REQUIRED:
      return "required";
    case SandboxPolicy.OFF:
      return "off";
    default:
      throw invalidArgument(
        `sandbox_policy ${policy} is not a known SandboxPolicy (SANDBOX_POLICY_AUTO, _REQUIRED or _OFF)`,
      );
  }
}

function mountFromProto(mount: BrokerMount, i: number): MountSpec {
  const field = `mounts[${i}]`;
  const protocol = protocolFromProto(mount.protocol, `${field}.protocol`);
  return {
    axonId: requireAxonId(mount.axonId, `${field}.axon_id`),
    protocol,
    agentBinary: mount.agentBinary,
    launchArgs: [...mount.launchArgs],
    ...(mount.workingDirectory !== "" && { workingDirectory: mount.workingDirectory }),
    env: { ...mount.env },
    permissionPolicy: policyFromProto(mount.permissionPolicy, `${field}.permission_policy`),
    ...(mount.mcpServers.length > 0 && {
      mcpServers: mount.mcpServers.map((server, j) =>
        mcpServerFromProto(server, `${field}.mcp_servers[${j}]`),
      ),
    }),
    ...(mount.model !== "" && { model: mount.model }),
  };
}

function mcpServerFromProto(server: McpServer, field: string): McpServerSpec {
  const { transport } = server;
  switch (transport.case) {
    case "stdio":
      return {
        type: "stdio",
        name: server.name,
        command: transport.value.command,
        args: [...transport.value.args],
        env: { ...transport.value.env },
      };
    case "http":
      return {
        type: "http",
        name: server.name,
        url: transport.value.url,
        headers: { ...transport.value.headers },
      };
    default:
      throw invalidArgument(
        `${field}.transport is required: set stdio {command, args, env} or http {url, headers}`,
      );
  }
}

function policyFromProto(policy: PermissionPolicy, field: string): MountSpec["permissionPolicy"] {
  switch (policy) {
    case PermissionPolicy.UNSPECIFIED:
    case PermissionPolicy.AUTO_ALLOW:
      return "auto_allow";
    case PermissionPolicy.ASK:
      return "ask";
    case PermissionPolicy.DENY:
      return "deny";
    default:
      throw invalidArgument(`${field} ${policy} is not a known permission policy`);
  }
}

/**
 * No lifecycle: never idle out. `resume_triggers` left out means a turn-starting event wakes a
 * suspended runtime (the point of suspending); send `resume_triggers {axon_event: false}` to wake it
 * only with ResumeRuntime.
 */
function lifecycleFromProto(lifecycle: Lifecycle | undefined): LifecycleSpec {
  const onIdle = lifecycle?.afterIdle?.onIdle ?? OnIdle.UNSPECIFIED;
  if (onIdle !== OnIdle.UNSPECIFIED && onIdle !== OnIdle.SUSPEND && onIdle !== OnIdle.SHUTDOWN) {
    throw invalidArgument(`lifecycle.after_idle.on_idle ${onIdle} is not a known OnIdle value`);
  }
  return {
    idleTimeSeconds: lifecycle?.afterIdle?.idleTimeSeconds ?? 0,
    onIdle: onIdle === OnIdle.SHUTDOWN ? "shutdown" : "suspend",
    resumeOnAxonEvent: lifecycle?.resumeTriggers?.axonEvent ?? true,
    ...(lifecycle?.beforeSuspend && { beforeSuspend: hookFromProto(lifecycle.beforeSuspend) }),
    ...(lifecycle?.afterResume && { afterResume: hookFromProto(lifecycle.afterResume) }),
  };
}

/**
 * A hook as given; its argv and deadline are checked with the rest of the runtime
 * (validateRuntimeInput), so an empty command or a deadline of 0 is INVALID_ARGUMENT naming the field.
 */
function hookFromProto(hook: Hook): HookSpec {
  return { command: [...hook.command], deadlineMs: hook.deadlineMs };
}
