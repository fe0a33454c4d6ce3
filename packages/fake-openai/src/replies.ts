/**
 * What the fake model answers one Responses API request with. A reply is streamed as server-sent
 * events (`event:` + `data:` lines, as the real API does); Codex always asks with `stream: true`.
 */

export interface TextReply {
  readonly type: "text";
  /** The reply, streamed as one `response.output_text.delta` per chunk. */
  readonly chunks: readonly string[];
  /** Pause before each chunk after the first, so a test can cancel mid-stream. */
  readonly chunkDelayMs?: number;
  /** Streamed first as a `reasoning` item (summary text deltas), when set. */
  readonly reasoning?: string;
}

export interface FunctionCallReply {
  readonly type: "function_call";
  readonly name: string;
  /** The call's arguments; sent JSON-encoded, as the API does. */
  readonly arguments: Readonly<Record<string, unknown>>;
  /** The `call_id` the model assigns (generated when omitted). */
  readonly callId?: string;
  /** The tool namespace the function belongs to (Codex offers MCP tools as `mcp__<server>`). */
  readonly namespace?: string;
  /** Text the model says before calling the function. */
  readonly text?: string;
}

export interface ErrorReply {
  readonly type: "error";
  readonly status: number;
  readonly errorType: string;
  readonly message: string;
}

export type FakeReply = TextReply | FunctionCallReply | ErrorReply;

export function textReply(text: string, options: Omit<TextReply, "type" | "chunks"> = {}): TextReply {
  return { type: "text", chunks: [text], ...options };
}

/** A reply that streams `chunks` with `chunkDelayMs` between them — long enough to cancel in between. */
export function slowTextReply(chunks: readonly string[], chunkDelayMs: number): TextReply {
  return { type: "text", chunks, chunkDelayMs };
}

export function functionCallReply(
  name: string,
  args: Readonly<Record<string, unknown>>,
  options: Omit<FunctionCallReply, "type" | "name" | "arguments"> = {},
): FunctionCallReply {
  return { type: "function_call", name, arguments: args, ...options };
}

export function errorReply(status: number, errorType: string, message: string): ErrorReply {
  return { type: "error", status, errorType, message };
}
