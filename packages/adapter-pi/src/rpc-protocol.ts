/**
 * The slice of Pi's RPC mode (`pi --mode rpc`, docs/rpc.md of @mariozechner/pi-coding-agent) this
 * adapter speaks: JSON commands in on stdin, `response`s and agent events out on stdout, one
 * object per LF-terminated line.
 */
import type { ContentBlock } from "@openaxon/broker";

/** Pi's content blocks (its AgentMessage content). */
export type PiContent =
  | { readonly type: "text"; readonly text: string }
  | { readonly type: "thinking"; readonly thinking: string }
  | { readonly type: "image"; readonly data: string; readonly mimeType: string }
  | { readonly type: "toolCall"; readonly id: string; readonly name: string; readonly arguments: unknown };

export interface PiMessage {
  readonly role: string;
  readonly content?: string | readonly PiContent[];
  /** Assistant messages: "stop", "length", "toolUse", "error", "aborted". */
  readonly stopReason?: string;
  readonly errorMessage?: string;
}

export interface ToolResult {
  readonly content?: readonly PiContent[];
}

export type PiEvent =
  | { readonly type: "agent_start" | "turn_start" }
  | { readonly type: "agent_end"; readonly messages: readonly PiMessage[] }
  | {
      readonly type: "message_update";
      readonly assistantMessageEvent: { readonly type: string; readonly delta?: string };
    }
  | {
      readonly type: "tool_execution_start";
      readonly toolCallId: string;
      readonly toolName: string;
      readonly args: unknown;
    }
  | {
      readonly type: "tool_execution_update";
      readonly toolCallId: string;
      readonly toolName: string;
      readonly partialResult?: ToolResult;
    }
  | {
      readonly type: "tool_execution_end";
      readonly toolCallId: string;
      readonly toolName: string;
      readonly result?: ToolResult;
      readonly isError: boolean;
    };

export interface PiResponse {
  readonly type: "response";
  readonly id?: string;
  readonly command: string;
  readonly success: boolean;
  readonly error?: string;
  readonly data?: unknown;
}

/** Extension UI requests: dialogs (`select`, `confirm`, `input`, `editor`) wait for an answer. */
export interface ExtensionUiRequest {
  readonly type: "extension_ui_request";
  readonly id: string;
  readonly method: string;
  readonly title?: string;
  readonly message?: string;
  readonly options?: readonly string[];
}

export type StdoutRecord =
  | PiResponse
  | ExtensionUiRequest
  | PiEvent
  | {
      readonly type:
        | "auto_retry_start"
        | "auto_retry_end"
        | "compaction_start"
        | "compaction_end"
        | "extension_error"
        | "queue_update"
        | "message_start"
        | "message_end"
        | "turn_end"
        | "tool_execution_update";
    };

export const DIALOG_METHODS: ReadonlySet<string> = new Set(["select", "confirm", "input", "editor"]);

/** Parses one stdout record; undefined for anything that is not a JSON object with a type. */
export function parseRecord(line: string): StdoutRecord | undefined {
  try {
    const value: unknown = JSON.parse(line);
    if (
      typeof value === "object" &&
      value !== null &&
      typeof (value as { type?: unknown }).type === "string"
    ) {
      return value as StdoutRecord;
    }
  } catch {
    // Not JSON (an extension printing to stdout, say): ignored, as Pi's own RPC client does.
  }
  return undefined;
}

/** A `prompt` command: text becomes `message`, images ride along, links are given as text. */
export function promptCommand(
  id: string,
  content: string | readonly ContentBlock[],
): Record<string, unknown> {
  if (typeof content === "string") return { id, type: "prompt", message: content };
  const texts: string[] = [];
  const images: { type: "image"; data: string; mimeType: string }[] = [];
  for (const block of content) {
    if (block.type === "text") texts.push(block.text);
    else if (block.type === "image")
      images.push({ type: "image", data: block.data, mimeType: block.mimeType });
    else texts.push(block.name ? `[${block.name}](${block.uri})` : block.uri);
  }
  return { id, type: "prompt", message: texts.join("\n\n"), ...(images.length > 0 && { images }) };
}

/** The text of a tool result's content blocks. */
export function resultText(result: ToolResult | undefined): string {
  return (result?.content ?? []).map((block) => (block.type === "text" ? block.text : "")).join("");
}
