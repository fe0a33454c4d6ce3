import type { AgentProtocolName, McpServerConfig, PermissionPolicy } from "@openaxon/broker";
import type { RuntimeUpdatedPayload } from "@openaxon/protocol/vocabulary";

/** Mirrors `openaxon.v1.RuntimeStatus`. */
export type RuntimeStatus =
  | "provisioning"
  | "running"
  | "suspending"
  | "suspended"
  | "resuming"
  | "shutdown"
  | "failed";

/** One agent driven by a broker from one axon. */
export interface MountSpec {
  readonly axonId: string;
  readonly protocol: AgentProtocolName;
  /** Executable to run; looked up on the agent's PATH when it has no `/`. */
  readonly agentBinary: string;
  readonly launchArgs: readonly string[];
  /** Absolute; undefined = the runtime's working directory. */
  readonly workingDirectory?: string;
  /** Added to the runtime's env for this agent. */
  readonly env: Readonly<Record<string, string>>;
  readonly permissionPolicy: PermissionPolicy;
  /**
   * MCP servers for the agent's session, as configured: values may hold `${PREFIX}` /
   * `${PREFIX_URL}` binding references (expanded at each start). Undefined in older records = none.
   */
  readonly mcpServers?: readonly McpServerConfig[];
  /** The model the agent should use; undefined = the agent's default. */
  readonly model?: string;
}

export interface LifecycleSpec {
  /** Seconds with no running or queued turn before `onIdle` applies; 0 = never. */
  readonly idleTimeSeconds: number;
  readonly onIdle: "suspend" | "shutdown";
  /** A turn-starting event in a mounted axon wakes the runtime while it is suspended. */
  readonly resumeOnAxonEvent: boolean;
  /** Run after the agents stop, before `runtime.suspended` (see hooks/). Undefined = none. */
  readonly beforeSuspend?: HookSpec;
  /** Run after a wake's agents start, before the first turn. Undefined = none. */
  readonly afterResume?: HookSpec;
}

/** A lifecycle hook: argv (no shell) and how long it may run before it is killed. */
export interface HookSpec {
  readonly command: readonly string[];
  readonly deadlineMs: number;
}

/**
 * Whether agents must run in a sandbox: `auto` uses bubblewrap when the server has it (otherwise
 * runs unsandboxed and says so), `required` refuses to start without it, `off` never sandboxes.
 */
export type SandboxPolicy = "auto" | "required" | "off";

/** What the agents actually run in. */
export type SandboxKind = "none" | "bubblewrap";

/** A credential gateway binding as CreateRuntime names it: each by id or name. */
export interface GatewayBindingInput {
  readonly gateway: string;
  readonly secret: string;
}

/** A binding as stored: resolved ids (names can change, ids cannot). */
export interface GatewayBindingRef {
  readonly gatewayId: string;
  readonly secretId: string;
}

export interface CreateRuntimeInput {
  readonly name: string;
  readonly mounts: readonly MountSpec[];
  readonly lifecycle: LifecycleSpec;
  readonly env: Readonly<Record<string, string>>;
  /** Absolute; undefined = `<workdir root>/<runtime id>`. */
  readonly workingDirectory?: string;
  /** Network policy id or name; undefined = the default stance (public internet only). */
  readonly networkPolicy?: string;
  /** Credential gateway bindings keyed by env-var prefix. */
  readonly gateways?: Readonly<Record<string, GatewayBindingInput>>;
  /** Default `auto`. */
  readonly sandboxPolicy?: SandboxPolicy;
}

/** What the store keeps per runtime (`store.putRecord("runtime", id, …)`), and what the API shows. */
export interface RuntimeRecord {
  readonly id: string;
  readonly name: string;
  readonly status: RuntimeStatus;
  /** Why the runtime is in its status ("idle for 60s", an error); "" when there is nothing to say. */
  readonly statusReason: string;
  readonly mounts: readonly MountSpec[];
  readonly lifecycle: LifecycleSpec;
  readonly env: Readonly<Record<string, string>>;
  /** Resolved, absolute: the default is filled in at creation. */
  readonly workingDirectory: string;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  /**
   * Set while suspended by hand (SuspendRuntime): per axon, the head at that moment. Triggers up to
   * there wait for a newer event or ResumeRuntime instead of waking the runtime straight back up.
   */
  readonly wakeAfter?: Readonly<Record<string, number>>;
  /** Resolved network policy id; undefined = the default stance. */
  readonly networkPolicyId?: string;
  /** Resolved gateway bindings by env-var prefix (records from before the gateway have none). */
  readonly gateways?: Readonly<Record<string, GatewayBindingRef>>;
  /** Undefined (records from before the gateway) = `auto`. */
  readonly sandboxPolicy?: SandboxPolicy;
  /** What the agents run in: decided at creation, updated on every start. Undefined = `none`. */
  readonly sandbox?: SandboxKind;
  /** UpdateRuntime calls applied so far; names each update's events (undefined = none yet). */
  readonly updates?: number;
  /**
   * `runtime.updated` events of updates already in this record, not yet written because an old
   * agent may still be running. Persisted with the update itself, so a crash before they are written
   * cannot let the update apply silently: whoever next finds no old agent running writes them.
   */
  readonly pendingUpdates?: readonly PendingUpdate[];
}

/** A `runtime.updated` waiting to be written into its axon (see `RuntimeRecord.pendingUpdates`). */
export interface PendingUpdate {
  /** The event's idempotency key: written twice (a crash after the write), it is appended once. */
  readonly key: string;
  readonly payload: RuntimeUpdatedPayload;
  /** The axon's broker must be replaced for the update to apply (a new agent). */
  readonly restart: boolean;
}

export const RUNTIME_RECORD_KIND = "runtime";

/** Statuses a runtime rests in between transitions; the others exist only while one runs. */
export type SettledStatus = Extract<RuntimeStatus, "running" | "suspended" | "shutdown" | "failed">;
