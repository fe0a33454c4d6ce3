/**
 * The turn vocabulary as a client sees it (DESIGN.md, "Event vocabulary"): what a broker writes
 * into an axon for one turn, and what a user writes to steer it. Payload fields are the wire's
 * snake_case JSON; `describeTurnEvent` gives a camelCase, discriminated view for rendering.
 */
import type { AxonEvent } from "./types.js";

export const TurnEventType = {
  UserMessage: "user.message",
  TurnCancel: "turn.cancel",
  PermissionResponse: "permission.response",
  Started: "turn.started",
  MessageChunk: "turn.message_chunk",
  ThoughtChunk: "turn.thought_chunk",
  ToolCall: "turn.tool_call",
  ToolCallUpdate: "turn.tool_call_update",
  Plan: "turn.plan",
  PermissionRequest: "turn.permission_request",
  Completed: "turn.completed",
  Failed: "turn.failed",
} as const;

/** What `user.message` carries: text, or ACP-style content blocks. */
export type ContentBlock =
  | { readonly type: "text"; readonly text: string }
  | { readonly type: "image"; readonly data: string; readonly mimeType: string }
  | { readonly type: "resource_link"; readonly uri: string; readonly name?: string };

export type PromptContent = string | readonly ContentBlock[];

/**
 * Turn ids are derived from the trigger's sequence (the broker's `turnIdFor`), so a client knows
 * its turn's id as soon as its publish is acknowledged.
 */
export function turnIdFor(triggerSequence: number): string {
  return `turn_${triggerSequence}`;
}

export interface ToolCallInfo {
  readonly toolCallId: string;
  readonly title: string;
  readonly kind: string;
  readonly status: string;
  readonly input?: unknown;
}

export interface PermissionOption {
  readonly optionId: string;
  readonly name: string;
  /** "allow_once" | "allow_always" | "reject_once" | "reject_always" */
  readonly kind: string;
}

/** A `turn.permission_request` waiting for `turn.respondToPermission`. */
export interface PermissionRequest {
  readonly requestId: string;
  readonly turnId: string;
  readonly toolCall: ToolCallInfo;
  readonly options: readonly PermissionOption[];
  /** Sequence of the request event. */
  readonly sequence: number;
}

/** How a turn ended. A failed turn is a result, not an exception (see `Turn.text()` for the throwing form). */
export type TurnResult =
  | { readonly status: "completed"; readonly turnId: string; readonly stopReason: string }
  | { readonly status: "failed"; readonly turnId: string; readonly error: string };

/** A turn event, parsed: one variant per vocabulary type, `other` for anything newer. */
export type TurnEventView =
  | { readonly type: "started"; readonly turnId: string; readonly triggerSequence: number }
  | { readonly type: "message_chunk"; readonly turnId: string; readonly text: string }
  | { readonly type: "thought_chunk"; readonly turnId: string; readonly text: string }
  | {
      readonly type: "tool_call";
      readonly turnId: string;
      readonly toolCall: ToolCallInfo;
      readonly output?: unknown;
    }
  | {
      readonly type: "tool_call_update";
      readonly turnId: string;
      readonly toolCallId: string;
      readonly title?: string;
      readonly kind?: string;
      readonly status?: string;
      readonly output?: unknown;
    }
  | { readonly type: "plan"; readonly turnId: string; readonly entries: readonly unknown[] }
  | ({ readonly type: "permission_request" } & Omit<PermissionRequest, "sequence">)
  | { readonly type: "completed"; readonly turnId: string; readonly stopReason: string }
  | { readonly type: "failed"; readonly turnId: string; readonly error: string }
  | { readonly type: "other"; readonly turnId: string; readonly eventType: string; readonly data: unknown };

type Json = Record<string, unknown>;

const str = (value: unknown): string => (typeof value === "string" ? value : "");

function toolCallOf(body: Json): ToolCallInfo {
  return {
    toolCallId: str(body.tool_call_id),
    title: str(body.title),
    kind: str(body.kind),
    status: str(body.status),
    ...(body.input !== undefined && { input: body.input }),
  };
}

/** The JSON object payload of an event, or undefined for anything else. */
export function payloadObject(event: Pick<AxonEvent, "payload">): Json | undefined {
  try {
    const value: unknown = JSON.parse(event.payload);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

/** The `turn_id` a turn event belongs to, if it has one. */
export function turnIdOf(event: Pick<AxonEvent, "eventType" | "payload">): string | undefined {
  if (!event.eventType.startsWith("turn.")) return undefined;
  const id = payloadObject(event)?.turn_id;
  return typeof id === "string" ? id : undefined;
}

/** A turn event as a discriminated union with camelCase fields. */
export function describeTurnEvent(event: Pick<AxonEvent, "eventType" | "payload">): TurnEventView {
  const body = payloadObject(event) ?? {};
  const turnId = str(body.turn_id);
  switch (event.eventType) {
    case TurnEventType.Started:
      return { type: "started", turnId, triggerSequence: Number(body.trigger_sequence ?? 0) };
    case TurnEventType.MessageChunk:
      return { type: "message_chunk", turnId, text: str(body.text) };
    case TurnEventType.ThoughtChunk:
      return { type: "thought_chunk", turnId, text: str(body.text) };
    case TurnEventType.ToolCall:
      return {
        type: "tool_call",
        turnId,
        toolCall: toolCallOf(body),
        ...(body.output !== undefined && { output: body.output }),
      };
    case TurnEventType.ToolCallUpdate:
      return {
        type: "tool_call_update",
        turnId,
        toolCallId: str(body.tool_call_id),
        ...(typeof body.title === "string" && { title: body.title }),
        ...(typeof body.kind === "string" && { kind: body.kind }),
        ...(typeof body.status === "string" && { status: body.status }),
        ...(body.output !== undefined && { output: body.output }),
      };
    case TurnEventType.Plan:
      return { type: "plan", turnId, entries: Array.isArray(body.entries) ? body.entries : [] };
    case TurnEventType.PermissionRequest: {
      const options = Array.isArray(body.options) ? (body.options as Json[]) : [];
      return {
        type: "permission_request",
        turnId,
        requestId: str(body.request_id),
        toolCall: toolCallOf((body.tool_call as Json | undefined) ?? {}),
        options: options.map((option) => ({
          optionId: str(option.option_id),
          name: str(option.name),
          kind: str(option.kind),
        })),
      };
    }
    case TurnEventType.Completed:
      return { type: "completed", turnId, stopReason: str(body.stop_reason) };
    case TurnEventType.Failed:
      return { type: "failed", turnId, error: str(body.error) };
    default:
      return { type: "other", turnId, eventType: event.eventType, data: body };
  }
}
