/**
 * The slice of Claude Code's stream-json protocol (`-p --input-format stream-json --output-format
 * stream-json`) this adapter speaks, as defined by @anthropic-ai/claude-agent-sdk's sdk.d.ts (the
 * SDK is the usual other end of this pipe). One JSON object per line, both ways.
 */
import type { ContentBlock } from "@openaxon/broker";

export interface ContentBlockParam {
  readonly type: string;
  readonly [key: string]: unknown;
}

/** `system` (subtype `init` names the session), `assistant`, `user`, `stream_event`, `result`, control messages. */
export type StdoutMessage =
  | { readonly type: "system"; readonly subtype: string; readonly session_id?: string }
  | {
      readonly type: "assistant";
      readonly message: { readonly content: readonly ContentBlockParam[] | string };
      readonly parent_tool_use_id: string | null;
    }
  | {
      readonly type: "user";
      readonly message: { readonly content: readonly ContentBlockParam[] | string };
      readonly parent_tool_use_id: string | null;
    }
  | {
      readonly type: "stream_event";
      readonly event: StreamEvent;
      readonly parent_tool_use_id: string | null;
    }
  | ResultMessage
  | ControlRequest
  | ControlResponse
  | { readonly type: "control_cancel_request"; readonly request_id: string }
  | { readonly type: "keep_alive" | "tool_progress" | "tool_use_summary" | "auth_status" };

export interface StreamEvent {
  readonly type: string;
  readonly index?: number;
  readonly delta?: { readonly type: string; readonly text?: string; readonly thinking?: string };
}

export interface ResultMessage {
  readonly type: "result";
  readonly subtype:
    | "success"
    | "error_during_execution"
    | "error_max_turns"
    | "error_max_budget_usd"
    | "error_max_structured_output_retries";
  readonly is_error: boolean;
  readonly result?: string;
  readonly errors?: readonly string[];
  readonly stop_reason?: string | null;
  readonly session_id: string;
}

export interface CanUseToolRequest {
  readonly subtype: "can_use_tool";
  readonly tool_name: string;
  readonly input: Record<string, unknown>;
  readonly tool_use_id: string;
  readonly permission_suggestions?: readonly unknown[];
  readonly decision_reason?: string;
  readonly description?: string;
}

export interface ControlRequest {
  readonly type: "control_request";
  readonly request_id: string;
  readonly request: CanUseToolRequest | { readonly subtype: string };
}

export interface ControlResponse {
  readonly type: "control_response";
  readonly response:
    | {
        readonly subtype: "success";
        readonly request_id: string;
        readonly response?: Record<string, unknown>;
      }
    | { readonly subtype: "error"; readonly request_id: string; readonly error: string };
}

/** What `can_use_tool` is answered with (the SDK's PermissionResult). */
export type PermissionResult =
  | {
      readonly behavior: "allow";
      readonly updatedInput: Record<string, unknown>;
      readonly updatedPermissions?: readonly unknown[];
      readonly toolUseID: string;
    }
  | {
      readonly behavior: "deny";
      readonly message: string;
      readonly interrupt?: boolean;
      readonly toolUseID: string;
    };

/** Parses one stdout line; undefined for anything that is not a JSON object with a type. */
export function parseStdoutLine(line: string): StdoutMessage | undefined {
  try {
    const value: unknown = JSON.parse(line);
    if (
      typeof value === "object" &&
      value !== null &&
      typeof (value as { type?: unknown }).type === "string"
    ) {
      return value as StdoutMessage;
    }
  } catch {
    // Not JSON: Claude Code prints nothing else on stdout in this mode; ignore stray output.
  }
  return undefined;
}

/** A user turn as Claude Code reads it on stdin. */
export function userMessage(content: string | readonly ContentBlock[]): Record<string, unknown> {
  const blocks =
    typeof content === "string" ? [{ type: "text", text: content }] : content.map(anthropicBlockOf);
  return {
    type: "user",
    session_id: "",
    message: { role: "user", content: blocks },
    parent_tool_use_id: null,
  };
}

function anthropicBlockOf(block: ContentBlock): Record<string, unknown> {
  if (block.type === "text") return { type: "text", text: block.text };
  if (block.type === "image") {
    return { type: "image", source: { type: "base64", media_type: block.mimeType, data: block.data } };
  }
  // The Messages API has no link block; the model gets the link as text.
  return { type: "text", text: block.name ? `[${block.name}](${block.uri})` : block.uri };
}

export function controlRequest(requestId: string, request: Record<string, unknown>): Record<string, unknown> {
  return { type: "control_request", request_id: requestId, request };
}

export function controlSuccess(
  requestId: string,
  response: Record<string, unknown>,
): Record<string, unknown> {
  return { type: "control_response", response: { subtype: "success", request_id: requestId, response } };
}

export function controlError(requestId: string, error: string): Record<string, unknown> {
  return { type: "control_response", response: { subtype: "error", request_id: requestId, error } };
}
