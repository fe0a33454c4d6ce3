/**
 * Payload shapes of the vocabulary. Field names are the wire format: snake_case JSON.
 */

/** What `user.message` carries: text, or ACP-style content blocks. */
export type ContentBlock =
  | { readonly type: "text"; readonly text: string }
  | { readonly type: "image"; readonly data: string; readonly mimeType: string }
  | { readonly type: "resource_link"; readonly uri: string; readonly name?: string };

export type PromptContent = string | readonly ContentBlock[];

export type PermissionOptionKind = "allow_once" | "allow_always" | "reject_once" | "reject_always";

// --- Inputs (USER / EXTERNAL) ---

export interface UserMessagePayload {
  readonly content: PromptContent;
}
export interface TurnCancelPayload {
  readonly turn_id?: string;
}
export type PermissionResponsePayload =
  | { readonly request_id: string; readonly option_id: string }
  | { readonly request_id: string; readonly outcome: "rejected" };

/** `session.load`: the agent session to continue (an id from a `session.started`). */
export interface SessionLoadPayload {
  readonly session_id: string;
}

// --- A turn ---

export interface TurnStartedPayload {
  readonly turn_id: string;
  readonly trigger_sequence: number;
}
export interface TurnTextChunkPayload {
  readonly turn_id: string;
  readonly text: string;
}
export interface ToolCallPayload {
  readonly tool_call_id: string;
  readonly title: string;
  readonly kind: string;
  readonly status: string;
  readonly input?: unknown;
}
export interface TurnToolCallPayload extends ToolCallPayload {
  readonly turn_id: string;
  readonly output?: unknown;
}
/** An update carries only what changed, so everything but the ids is optional. */
export interface TurnToolCallUpdatePayload {
  readonly turn_id: string;
  readonly tool_call_id: string;
  readonly title?: string;
  readonly kind?: string;
  readonly status?: string;
  readonly output?: unknown;
}
export interface TurnPlanPayload {
  readonly turn_id: string;
  readonly entries: readonly unknown[];
}
export interface PermissionOptionPayload {
  readonly option_id: string;
  readonly name: string;
  readonly kind: PermissionOptionKind;
}
export interface TurnPermissionRequestPayload {
  readonly turn_id: string;
  readonly request_id: string;
  readonly tool_call: ToolCallPayload;
  readonly options: readonly PermissionOptionPayload[];
}
export interface TurnCompletedPayload {
  readonly turn_id: string;
  /** `end_turn`, `cancelled`, `max_tokens`, `refusal`, … */
  readonly stop_reason: string;
}
export interface TurnFailedPayload {
  readonly turn_id: string;
  readonly error: string;
}

// --- Sessions, agents, brokers, runtimes, gateway ---

export type AgentProtocolName = "acp" | "claude-code" | "stdio" | "codex" | "pi";

export interface SessionStartedPayload {
  readonly protocol: AgentProtocolName;
  readonly agent_session_id: string;
  /** Beside the vocabulary's two fields: how the session came to be, and why a restore failed. */
  readonly restored_by: "new" | "resume" | "load" | "cli-resume";
  readonly note?: string;
  /**
   * A hand-off: this agent could not continue the earlier agent's session, so its next turn is
   * primed with a transcript from the log (until a `session.primed` says that happened).
   */
  readonly needs_priming?: true;
}
/**
 * A new agent that could not resume the old one's session got a transcript of earlier turns in
 * front of its first prompt (turn_id): how many turns it holds, how many older ones were dropped.
 */
export interface SessionPrimedPayload {
  readonly turn_id: string;
  readonly turns: number;
  readonly omitted_turns: number;
  /** Length of the transcript in UTF-16 code units; never more than budget_chars. */
  readonly chars: number;
  readonly budget_chars: number;
}
export interface AgentLogPayload {
  readonly stream: "stderr";
  readonly message: string;
}
export interface BrokerErrorPayload {
  readonly message: string;
}
export interface RuntimeEventPayload {
  readonly runtime_id: string;
  readonly reason?: string;
}
/**
 * One changed field of `runtime.updated`. Maps that may hold secrets (env, MCP env and headers)
 * show their keys only (`values_hidden`), never a value.
 */
export interface RuntimeFieldChange {
  /** The update_mask path, e.g. "mount.model", "env", "lifecycle". */
  readonly field: string;
  readonly old: unknown;
  readonly new: unknown;
  readonly values_hidden?: true;
}
/**
 * `runtime.updated`, in each mounted axon the update touches: the changes that apply to that axon's
 * agent. `resume_session` is false when the agent itself changed (binary or protocol): the next
 * agent starts a fresh session, primed from the log.
 */
export interface RuntimeUpdatedPayload {
  readonly runtime_id: string;
  readonly axon_id: string;
  readonly changes: readonly RuntimeFieldChange[];
  readonly resume_session: boolean;
}
/**
 * `runtime.hook`: one run of a lifecycle hook (`before_suspend` or `after_resume`), in every
 * mounted axon. `command` is argv[0] only (the arguments may carry anything). `exit_code` is null
 * when a signal ended the hook (`signal`) or it never started (`error`).
 */
export interface RuntimeHookPayload {
  readonly runtime_id: string;
  readonly hook: "before_suspend" | "after_resume";
  readonly command: string;
  readonly exit_code: number | null;
  readonly signal: string | null;
  /** Killed at its deadline; the transition went ahead anyway. */
  readonly timed_out: boolean;
  readonly duration_ms: number;
  readonly deadline_ms: number;
  /** The last 4 KiB of stdout and stderr, interleaved. */
  readonly output_tail: string;
  /** The hook printed more than output_tail holds. */
  readonly truncated: boolean;
  readonly error?: string;
}
/** `gateway.allowed` / `gateway.denied`: where the agent tried to go. Never a secret. */
export interface GatewayDecisionPayload {
  readonly runtime_id: string;
  readonly host: string;
  readonly port: number;
  readonly reason: string;
}
