/**
 * The turn vocabulary as a client sees it (DESIGN.md, "Event vocabulary"): what a broker writes
 * into an axon for one turn, and what a user writes to steer it. Payload fields are the wire's
 * snake_case JSON; `describeTurnEvent` gives a camelCase, discriminated view for rendering.
 */
import { EventType, parseJsonObject } from "@openaxon/protocol/vocabulary";
import type { AxonEvent } from "./types.js";

export {
  type ContentBlock,
  EventType,
  type PromptContent,
  turnIdFor,
  turnIdOf,
} from "@openaxon/protocol/vocabulary";

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

/** The JSON object payload of an event, or undefined for anything else. */
export function payloadObject(event: Pick<AxonEvent, "payload">): Json | undefined {
  return parseJsonObject(event.payload);
}

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

/** A turn event as a discriminated union with camelCase fields. */
export function describeTurnEvent(event: Pick<AxonEvent, "eventType" | "payload">): TurnEventView {
  const body = payloadObject(event) ?? {};
  const turnId = str(body.turn_id);
  switch (event.eventType) {
    case EventType.TurnStarted:
      return { type: "started", turnId, triggerSequence: Number(body.trigger_sequence ?? 0) };
    case EventType.TurnMessageChunk:
      return { type: "message_chunk", turnId, text: str(body.text) };
    case EventType.TurnThoughtChunk:
      return { type: "thought_chunk", turnId, text: str(body.text) };
    case EventType.TurnToolCall:
      return {
        type: "tool_call",
        turnId,
        toolCall: toolCallOf(body),
        ...(body.output !== undefined && { output: body.output }),
      };
    case EventType.TurnToolCallUpdate:
      return {
        type: "tool_call_update",
        turnId,
        toolCallId: str(body.tool_call_id),
        ...(typeof body.title === "string" && { title: body.title }),
        ...(typeof body.kind === "string" && { kind: body.kind }),
        ...(typeof body.status === "string" && { status: body.status }),
        ...(body.output !== undefined && { output: body.output }),
      };
    case EventType.TurnPlan:
      return { type: "plan", turnId, entries: Array.isArray(body.entries) ? body.entries : [] };
    case EventType.TurnPermissionRequest: {
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
    case EventType.TurnCompleted:
      return { type: "completed", turnId, stopReason: str(body.stop_reason) };
    case EventType.TurnFailed:
      return { type: "failed", turnId, error: str(body.error) };
    default:
      return { type: "other", turnId, eventType: event.eventType, data: body };
  }
}
