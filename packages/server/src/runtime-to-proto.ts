import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  type AfterIdle,
  AgentProtocol,
  type BrokerMount,
  type GatewayBinding,
  type McpServerSchema,
  OnIdle,
  PermissionPolicy,
  type ResumeTriggers,
  type Runtime,
  RuntimeStatus,
  Sandbox,
  SandboxPolicy,
} from "@openaxon/protocol";
import type { HookSpec, McpServerSpec, MountSpec, RuntimeRecord } from "@openaxon/runtime";

type McpServerInit = MessageInitShape<typeof McpServerSchema>;

/** Wire shape without $typeName (Connect accepts init shapes), nested messages included. */
export type RuntimeInit = Omit<Runtime, "$typeName" | "mounts" | "lifecycle" | "gateways"> & {
  mounts: (Omit<BrokerMount, "$typeName" | "mcpServers"> & { mcpServers: McpServerInit[] })[];
  lifecycle: { afterIdle: Omit<AfterIdle, "$typeName">; resumeTriggers: Omit<ResumeTriggers, "$typeName"> };
  gateways: Record<string, Omit<GatewayBinding, "$typeName">>;
};

export const PROTOCOL_TO_PROTO: Record<MountSpec["protocol"], AgentProtocol> = {
  acp: AgentProtocol.ACP,
  "claude-code": AgentProtocol.CLAUDE_CODE,
  stdio: AgentProtocol.STDIO,
  codex: AgentProtocol.CODEX,
  pi: AgentProtocol.PI,
};

const STATUS_TO_PROTO: Record<RuntimeRecord["status"], RuntimeStatus> = {
  provisioning: RuntimeStatus.PROVISIONING,
  running: RuntimeStatus.RUNNING,
  suspending: RuntimeStatus.SUSPENDING,
  suspended: RuntimeStatus.SUSPENDED,
  resuming: RuntimeStatus.RESUMING,
  shutdown: RuntimeStatus.SHUTDOWN,
  failed: RuntimeStatus.FAILED,
};

const POLICY_TO_PROTO: Record<MountSpec["permissionPolicy"], PermissionPolicy> = {
  auto_allow: PermissionPolicy.AUTO_ALLOW,
  ask: PermissionPolicy.ASK,
  deny: PermissionPolicy.DENY,
};

const SANDBOX_POLICY_TO_PROTO: Record<NonNullable<RuntimeRecord["sandboxPolicy"]>, SandboxPolicy> = {
  auto: SandboxPolicy.AUTO,
  required: SandboxPolicy.REQUIRED,
  off: SandboxPolicy.OFF,
};

export function runtimeToProto(runtime: RuntimeRecord): RuntimeInit {
  return {
    id: runtime.id,
    name: runtime.name,
    status: STATUS_TO_PROTO[runtime.status],
    statusReason: runtime.statusReason,
    mounts: runtime.mounts.map((mount) => ({
      axonId: mount.axonId,
      protocol: PROTOCOL_TO_PROTO[mount.protocol],
      agentBinary: mount.agentBinary,
      launchArgs: [...mount.launchArgs],
      workingDirectory: mount.workingDirectory ?? "",
      env: { ...mount.env },
      permissionPolicy: POLICY_TO_PROTO[mount.permissionPolicy],
      // As configured: binding references, never the tokens they expand to.
      mcpServers: (mount.mcpServers ?? []).map(mcpServerToProto),
      model: mount.model ?? "",
    })),
    lifecycle: {
      afterIdle: {
        idleTimeSeconds: runtime.lifecycle.idleTimeSeconds,
        onIdle: runtime.lifecycle.onIdle === "shutdown" ? OnIdle.SHUTDOWN : OnIdle.SUSPEND,
      },
      resumeTriggers: { axonEvent: runtime.lifecycle.resumeOnAxonEvent },
      ...(runtime.lifecycle.beforeSuspend && { beforeSuspend: hookToProto(runtime.lifecycle.beforeSuspend) }),
      ...(runtime.lifecycle.afterResume && { afterResume: hookToProto(runtime.lifecycle.afterResume) }),
    },
    env: { ...runtime.env },
    workingDirectory: runtime.workingDirectory,
    createdAtMs: BigInt(runtime.createdAtMs),
    updatedAtMs: BigInt(runtime.updatedAtMs),
    networkPolicyId: runtime.networkPolicyId ?? "",
    // Resolved ids: names of configs and secrets can change, the binding cannot.
    gateways: Object.fromEntries(
      Object.entries(runtime.gateways ?? {}).map(([prefix, ref]) => [
        prefix,
        { gateway: ref.gatewayId, secret: ref.secretId },
      ]),
    ),
    sandboxPolicy: SANDBOX_POLICY_TO_PROTO[runtime.sandboxPolicy ?? "auto"],
    sandbox: runtime.sandbox === "bubblewrap" ? Sandbox.BUBBLEWRAP : Sandbox.NONE,
  };
}

function mcpServerToProto(server: McpServerSpec): McpServerInit {
  return server.type === "stdio"
    ? {
        name: server.name,
        transport: {
          case: "stdio",
          value: { command: server.command, args: [...server.args], env: { ...server.env } },
        },
      }
    : {
        name: server.name,
        transport: { case: "http", value: { url: server.url, headers: { ...server.headers } } },
      };
}

function hookToProto(hook: HookSpec): { command: string[]; deadlineMs: number } {
  return { command: [...hook.command], deadlineMs: hook.deadlineMs };
}
