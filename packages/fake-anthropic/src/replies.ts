/**
 * What the fake model answers. A reply is rendered either as an SSE stream (with `event:` lines, as
 * the real API does) or as one JSON message, depending on the request's `stream` flag.
 */

export interface TextReply {
  readonly type: "text";
  /** The reply, streamed as one `text_delta` per chunk. */
  readonly chunks: readonly string[];
  /** Pause before each chunk after the first, so a test can cancel mid-stream. */
  readonly chunkDelayMs?: number;
  /** Streamed first as a `thinking` block, when set. */
  readonly thinking?: string;
  readonly stopReason?: "end_turn" | "max_tokens" | "stop_sequence" | "refusal";
}

export interface ToolUseReply {
  readonly type: "tool_use";
  readonly name: string;
  readonly input: Readonly<Record<string, unknown>>;
  /** The tool_use id the model assigns (generated when omitted). */
  readonly id?: string;
  /** Text the model says before calling the tool. */
  readonly text?: string;
}

export interface ErrorReply {
  readonly type: "error";
  readonly status: number;
  readonly errorType: string;
  readonly message: string;
}

export type FakeReply = TextReply | ToolUseReply | ErrorReply;

export function textReply(text: string, options: Omit<TextReply, "type" | "chunks"> = {}): TextReply {
  return { type: "text", chunks: [text], ...options };
}

/** A reply that streams `chunks` with `chunkDelayMs` between them — long enough to cancel in between. */
export function slowTextReply(chunks: readonly string[], chunkDelayMs: number): TextReply {
  return { type: "text", chunks, chunkDelayMs };
}

export function toolUseReply(
  name: string,
  input: Readonly<Record<string, unknown>>,
  options: Omit<ToolUseReply, "type" | "name" | "input"> = {},
): ToolUseReply {
  return { type: "tool_use", name, input, ...options };
}

export function errorReply(status: number, errorType: string, message: string): ErrorReply {
  return { type: "error", status, errorType, message };
}
