import {
  type AfterIdle,
  AgentProtocol,
  type BrokerMount,
  OnIdle,
  PermissionPolicy,
  type ResumeTriggers,
  type Runtime,
  RuntimeStatus,
} from "@openaxon/protocol";
import type { MountSpec, RuntimeRecord } from "@openaxon/runtime";

/** Wire shape without $typeName (Connect accepts init shapes), nested messages included. */
// The network and sandbox fields are filled once runtimes are wired to the gateway (issue 4).
type NetworkFields = "networkPolicyId" | "gateways" | "sandboxPolicy" | "sandbox";
export type RuntimeInit = Omit<Runtime, "$typeName" | "mounts" | "lifecycle" | NetworkFields> &
  Partial<Pick<Runtime, NetworkFields>> & {
    mounts: Omit<BrokerMount, "$typeName">[];
    lifecycle: { afterIdle: Omit<AfterIdle, "$typeName">; resumeTriggers: Omit<ResumeTriggers, "$typeName"> };
  };

export const PROTOCOL_TO_PROTO: Record<MountSpec["protocol"], AgentProtocol> = {
  acp: AgentProtocol.ACP,
  "claude-code": AgentProtocol.CLAUDE_CODE,
  stdio: AgentProtocol.STDIO,
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
    })),
    lifecycle: {
      afterIdle: {
        idleTimeSeconds: runtime.lifecycle.idleTimeSeconds,
        onIdle: runtime.lifecycle.onIdle === "shutdown" ? OnIdle.SHUTDOWN : OnIdle.SUSPEND,
      },
      resumeTriggers: { axonEvent: runtime.lifecycle.resumeOnAxonEvent },
    },
    env: { ...runtime.env },
    workingDirectory: runtime.workingDirectory,
    createdAtMs: BigInt(runtime.createdAtMs),
    updatedAtMs: BigInt(runtime.updatedAtMs),
  };
}
