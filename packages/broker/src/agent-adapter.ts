/**
 * The plugin interface between the broker and an agent. Adapters (ACP, Claude Code, stdio, the
 * simulation's SimAgent) depend only on this file; the broker depends on nothing adapter-specific.
 * Everything an adapter yields is already in the shared vocabulary, so one client renders any agent.
 */

import type { AgentProtocolName, ContentBlock } from "@openaxon/protocol/vocabulary";

export type { AgentProtocolName, ContentBlock };

/** ACP-style content. Plain text is the common case. */
export interface AgentStartOptions {
  /** The agent's working directory (exists, kept across suspends). */
  readonly cwd: string;
  /** Environment for the agent process, complete (the adapter adds nothing from process.env). */
  readonly env: Readonly<Record<string, string>>;
  /** Session to restore after a suspend, crash or restart; undefined for a fresh session. */
  readonly resumeSessionId?: string;
  /** Agent stderr and diagnostics, one line at a time (published as `agent.log`). */
  readonly onLog: (line: string) => void;
  /**
   * Called if the agent process exits on its own (crash) outside `stop()`, after `start()` resolved.
   * An exit during `start()` is reported by `start()` rejecting instead.
   */
  readonly onExit?: (info: { code: number | null; signal: string | null }) => void;
}

export interface AgentSession {
  /** The agent's own session id, persisted in the axon as `session.started`. */
  readonly sessionId: string;
  /** How the session came to be: a fresh one, or restored (and how). */
  readonly restoredBy: "new" | "resume" | "load" | "cli-resume";
  /** Set when a restore was asked for but impossible, e.g. "agent supports neither session/resume nor session/load". */
  readonly note?: string;
}

export interface PermissionOption {
  readonly optionId: string;
  readonly name: string;
  readonly kind: "allow_once" | "allow_always" | "reject_once" | "reject_always";
}

export interface ToolCallInfo {
  readonly toolCallId: string;
  readonly title: string;
  readonly kind: string;
  readonly status: string;
  readonly input?: unknown;
}

export interface PermissionRequest {
  readonly toolCall: ToolCallInfo;
  readonly options: readonly PermissionOption[];
}

/** `rejected` means denied. It is never expressed as "cancelled", which means the turn was cancelled. */
export type PermissionDecision =
  | { readonly outcome: "selected"; readonly optionId: string }
  | { readonly outcome: "rejected" };

export interface TurnInput {
  readonly turnId: string;
  readonly content: string | readonly ContentBlock[];
  /**
   * The broker's permission policy for this turn (auto-allow, deny, or ask the axon). Call it only
   * after yielding every output that precedes the request (e.g. its `tool_call`), so the axon shows
   * them in the agent's order.
   */
  readonly requestPermission: (request: PermissionRequest) => Promise<PermissionDecision>;
}

/** Normalized turn output. The broker adds `turn_id` and publishes each as a `turn.*` event. */
export type TurnOutput =
  | { readonly type: "message_chunk"; readonly text: string }
  | { readonly type: "thought_chunk"; readonly text: string }
  | ({ readonly type: "tool_call" } & ToolCallInfo)
  | {
      readonly type: "tool_call_update";
      readonly toolCallId: string;
      readonly title?: string;
      readonly kind?: string;
      readonly status?: string;
      readonly output?: unknown;
    }
  | { readonly type: "plan"; readonly entries: readonly unknown[] }
  /** Last item of a turn that ended normally (also `cancelled`, `max_tokens`, `refusal`, …). */
  | { readonly type: "completed"; readonly stopReason: string };

export interface AgentAdapter {
  readonly protocol: AgentProtocolName;
  /** Starts the agent process and opens (or restores) its session. */
  start(options: AgentStartOptions): Promise<AgentSession>;
  /**
   * Runs one turn. Yields output until a final `completed` item; throws if the turn fails (agent
   * crash, protocol error), after which the broker may `start` the adapter again.
   */
  prompt(input: TurnInput): AsyncIterable<TurnOutput>;
  /** Cancels the running turn; the turn then completes with stop reason `cancelled`. */
  cancel(): Promise<void>;
  /** Stops the agent process and its children. Idempotent. */
  stop(): Promise<void>;
}

/** A command to spawn: the executable and its arguments. */
export interface LaunchCommand {
  readonly agentBinary: string;
  readonly launchArgs: readonly string[];
}

/**
 * An MCP server the agent should connect to, as the agent gets it: binding references already
 * expanded (to the gateway's per-start token and URL, never a secret).
 */
export type McpServerConfig =
  | {
      readonly type: "stdio";
      readonly name: string;
      /** Absolute once the runtime resolved it on the agent's PATH. */
      readonly command: string;
      readonly args: readonly string[];
      readonly env: Readonly<Record<string, string>>;
    }
  | {
      readonly type: "http";
      readonly name: string;
      readonly url: string;
      readonly headers: Readonly<Record<string, string>>;
    };

/** What the runtime knows about a mount; an adapter factory turns it into an adapter. */
export interface AgentLaunch extends LaunchCommand {
  /** MCP servers for the agent's session; adapters whose protocol has no way to pass them refuse. */
  readonly mcpServers?: readonly McpServerConfig[];
  /** The model to use; undefined = the agent's default. Each adapter maps it onto its protocol. */
  readonly model?: string;
  /**
   * Set when the runtime wraps the agent (e.g. in a sandbox); `agentBinary`/`launchArgs` are then
   * the already-wrapped `argv`. An adapter that derives a different command from the mount's own
   * argv (dropping an adapter-only flag, say) wraps that instead, so wrappers never need to know
   * adapters' flags.
   */
  readonly wrapping?: {
    /** The mount's unwrapped argv: resolved executable first, then its launch args. */
    readonly argv: readonly string[];
    wrap(argv: readonly string[]): LaunchCommand;
  };
}

export type AgentAdapterFactory = (launch: AgentLaunch) => AgentAdapter;
