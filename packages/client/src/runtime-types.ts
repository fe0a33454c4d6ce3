/**
 * Runtimes as plain objects: enums become lower-case strings ("running", "stdio", "ask"),
 * timestamps numbers. See runtime-convert.ts for the mapping to and from the wire.
 */

export type AgentProtocolName = "acp" | "claude-code" | "stdio" | "codex" | "pi";

/** What the broker answers when the agent asks to use a tool. "ask" publishes turn.permission_request. */
export type PermissionPolicyName = "auto_allow" | "ask" | "deny";

export type RuntimeStatusName =
  | "unspecified"
  | "provisioning"
  | "running"
  | "suspending"
  | "suspended"
  | "resuming"
  | "shutdown"
  | "failed";

/** Whether agents must run in a sandbox: "auto" uses bubblewrap when the host has it. */
export type SandboxPolicyName = "auto" | "required" | "off";

/** What the agents actually run in; "none" means the network policy is advisory. */
export type SandboxName = "unspecified" | "none" | "bubblewrap";

export interface RuntimeMountInput {
  readonly axonId: string;
  readonly protocol: AgentProtocolName;
  /** Executable, looked up on the agent's PATH when not absolute. */
  readonly agentBinary: string;
  readonly launchArgs?: readonly string[];
  /** Defaults to the runtime's working directory. Absolute. */
  readonly workingDirectory?: string;
  /** Added to the runtime's env for this agent. */
  readonly env?: Readonly<Record<string, string>>;
  /** Default "auto_allow". */
  readonly permissionPolicy?: PermissionPolicyName;
  /** MCP servers for the agent's session (acp and claude-code mounts). */
  readonly mcpServers?: readonly McpServerInput[];
  /** The model the agent should use; default: the agent's own. */
  readonly model?: string;
}

/**
 * An MCP server offered to the agent. `args`, `env`, `url` and `headers` may reference the
 * runtime's gateway bindings as `${PREFIX}` (the gws_… token) and `${PREFIX_URL}` (the gateway URL),
 * e.g. `{ Authorization: "Bearer ${GWS_TOOLS}" }`, so the runtime never stores a secret.
 */
export type McpServerInput =
  | {
      readonly type: "stdio";
      readonly name: string;
      readonly command: string;
      readonly args?: readonly string[];
      readonly env?: Readonly<Record<string, string>>;
    }
  | {
      readonly type: "http";
      readonly name: string;
      readonly url: string;
      readonly headers?: Readonly<Record<string, string>>;
    };

/** An MCP server as the server reports it (binding references as configured). */
export type McpServer =
  | {
      readonly type: "stdio";
      readonly name: string;
      readonly command: string;
      readonly args: string[];
      readonly env: Record<string, string>;
    }
  | {
      readonly type: "http";
      readonly name: string;
      readonly url: string;
      readonly headers: Record<string, string>;
    };

/**
 * When a runtime idles out and what wakes it. Give one of `idleSuspendSeconds`,
 * `idleShutdownSeconds`, or `idleTimeSeconds` with `onIdle`. Nothing = never idles out.
 */
export interface RuntimeLifecycleInput {
  /** Suspend after this many seconds without a running or queued turn. */
  readonly idleSuspendSeconds?: number;
  /** Shut down for good after this many idle seconds. */
  readonly idleShutdownSeconds?: number;
  readonly idleTimeSeconds?: number;
  readonly onIdle?: "suspend" | "shutdown";
  /** A new user.message wakes a suspended runtime. Default true; false = only `resume` does. */
  readonly resumeOnEvent?: boolean;
  /** Runs after the agents stopped, before the runtime counts as suspended (e.g. commit the workspace). */
  readonly beforeSuspend?: RuntimeHook;
  /** Runs when a suspended runtime wakes, before the first turn. */
  readonly afterResume?: RuntimeHook;
}

/**
 * A lifecycle hook: run in the agents' sandbox, working directory and env; killed at its deadline.
 * Each run writes a `runtime.hook` event (exit code or signal, timed_out, the output's last 4 KiB).
 */
export interface RuntimeHook {
  /** argv, executable first; no shell (use ["sh", "-c", "…"] for one). */
  readonly command: readonly string[];
  /** 1 ms to 600000 ms (10 minutes). */
  readonly deadlineMs: number;
}

/** A credential gateway binding: the agent gets `$PREFIX_URL` and a `gws_…` token in `$PREFIX`. */
export interface GatewayBinding {
  /** Gateway config id ("gwc_…") or name. */
  readonly gateway: string;
  /** Secret id ("sec_…") or name. */
  readonly secret: string;
}

export interface CreateRuntimeInput {
  readonly name?: string;
  readonly mounts: readonly RuntimeMountInput[];
  readonly lifecycle?: RuntimeLifecycleInput;
  readonly env?: Readonly<Record<string, string>>;
  /** Absolute; created if missing. Default: a directory under the server's data dir. */
  readonly workingDirectory?: string;
  /** Network policy id ("np_…") or name. Default: public internet only. */
  readonly networkPolicy?: string;
  /** Bindings keyed by env-var prefix, e.g. `{ GWS_ANTHROPIC: { gateway: "anthropic", secret: "anthropic-key" } }`. */
  readonly gateways?: Readonly<Record<string, GatewayBinding>>;
  /** Default "auto". */
  readonly sandbox?: SandboxPolicyName;
}

/**
 * What `runtimes.update` changes: only the fields given (an `undefined` value counts as not
 * given; `model: ""` goes back to the agent's default, `env: {}` clears it).
 */
export interface UpdateRuntimeInput {
  /** The mount to change; may be left out when the runtime has one mount. */
  readonly axonId?: string;
  readonly protocol?: AgentProtocolName;
  readonly agentBinary?: string;
  readonly launchArgs?: readonly string[];
  /** The mount's env (replaces it). */
  readonly mountEnv?: Readonly<Record<string, string>>;
  readonly model?: string;
  readonly mcpServers?: readonly McpServerInput[];
  readonly permissionPolicy?: PermissionPolicyName;
  /** The runtime's env (replaces it). */
  readonly env?: Readonly<Record<string, string>>;
  readonly lifecycle?: RuntimeLifecycleInput;
}

export interface RuntimeMount {
  readonly axonId: string;
  readonly protocol: AgentProtocolName | "unspecified";
  readonly agentBinary: string;
  readonly launchArgs: string[];
  /** "" = the runtime's. */
  readonly workingDirectory: string;
  readonly env: Record<string, string>;
  readonly permissionPolicy: PermissionPolicyName;
  readonly mcpServers: McpServer[];
  /** "" = the agent's default. */
  readonly model: string;
}

export interface RuntimeLifecycle {
  /** 0 = never idles out. */
  readonly idleTimeSeconds: number;
  readonly onIdle: "suspend" | "shutdown";
  readonly resumeOnEvent: boolean;
  /** Absent: no hook. */
  readonly beforeSuspend?: RuntimeHook;
  readonly afterResume?: RuntimeHook;
}

export interface Runtime {
  /** Server-assigned, looks like `rt_…`. */
  readonly id: string;
  readonly name: string;
  readonly status: RuntimeStatusName;
  /** Why it is in that status: "idle for 60s", "suspended by request", an error … ("" when none). */
  readonly statusReason: string;
  readonly mounts: RuntimeMount[];
  readonly lifecycle: RuntimeLifecycle;
  readonly env: Record<string, string>;
  readonly workingDirectory: string;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  /** "" = the default stance (public internet allowed, private ranges denied). */
  readonly networkPolicyId: string;
  /** With ids resolved. */
  readonly gateways: Record<string, GatewayBinding>;
  readonly sandboxPolicy: SandboxPolicyName;
  readonly sandbox: SandboxName;
}
