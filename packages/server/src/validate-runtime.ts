import { isId } from "@openaxon/core";
import {
  AgentProtocol,
  type BrokerMount,
  type CreateRuntimeRequest,
  type Lifecycle,
  type McpServer,
  OnIdle,
  PermissionPolicy,
  SandboxPolicy,
} from "@openaxon/protocol";
import type { CreateRuntimeInput, LifecycleSpec, McpServerSpec, MountSpec } from "@openaxon/runtime";
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
  const protocol = PROTOCOLS[mount.protocol];
  if (!protocol) {
    throw invalidArgument(
      mount.protocol === AgentProtocol.UNSPECIFIED
        ? `${field}.protocol is required: AGENT_PROTOCOL_ACP, AGENT_PROTOCOL_CLAUDE_CODE or AGENT_PROTOCOL_STDIO`
        : `${field}.protocol ${mount.protocol} is not a known agent protocol`,
    );
  }
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
  };
}
