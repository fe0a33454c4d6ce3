/**
 * The event vocabulary the broker reads and writes (DESIGN.md, "Event vocabulary"). Every adapter's
 * output ends up in these shapes, so one client renders any agent. Payload field names are the wire
 * format: snake_case JSON.
 */
import type { AgentProtocolName, ContentBlock, PermissionOption } from "./agent-adapter.js";

export const EventType = {
  UserMessage: "user.message",
  TurnCancel: "turn.cancel",
  PermissionResponse: "permission.response",
  TurnStarted: "turn.started",
  TurnMessageChunk: "turn.message_chunk",
  TurnThoughtChunk: "turn.thought_chunk",
  TurnToolCall: "turn.tool_call",
  TurnToolCallUpdate: "turn.tool_call_update",
  TurnPlan: "turn.plan",
  TurnPermissionRequest: "turn.permission_request",
  TurnCompleted: "turn.completed",
  TurnFailed: "turn.failed",
  SessionStarted: "session.started",
  AgentLog: "agent.log",
  BrokerError: "broker.error",
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

// --- Inputs (USER / EXTERNAL) ---

export interface UserMessagePayload {
  readonly content: string | readonly ContentBlock[];
}
export interface TurnCancelPayload {
  readonly turn_id?: string;
}
export type PermissionResponsePayload =
  | { readonly request_id: string; readonly option_id: string }
  | { readonly request_id: string; readonly outcome: "rejected" };

// --- Outputs ---

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
  readonly kind: PermissionOption["kind"];
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
export interface SessionStartedPayload {
  readonly protocol: AgentProtocolName;
  readonly agent_session_id: string;
  /** Beside the vocabulary's two fields: how the session came to be, and why a restore failed. */
  readonly restored_by: "new" | "resume" | "load" | "cli-resume";
  readonly note?: string;
}
export interface AgentLogPayload {
  readonly stream: "stderr";
  readonly message: string;
}
export interface BrokerErrorPayload {
  readonly message: string;
}

/** Turn ids are derived from the trigger, so a client knows its turn's id as soon as it publishes. */
export function turnIdFor(triggerSequence: number): string {
  return `turn_${triggerSequence}`;
}
