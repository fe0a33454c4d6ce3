import type { TurnOutput } from "@openaxon/broker";
import type { ContentBlockParam, ResultMessage, StdoutMessage } from "./stream-json.js";
import { toolInfo } from "./tool-info.js";

/**
 * Maps Claude Code's stream-json output onto the shared turn vocabulary: partial-message deltas
 * become chunks, tool_use blocks tool calls, tool_result blocks tool call updates.
 */
export function turnOutputsOf(message: StdoutMessage, seenToolCalls: Set<string>): TurnOutput[] {
  switch (message.type) {
    case "stream_event": {
      // Sub-agents (parent_tool_use_id set) stream too; their text is not the reply.
      if (message.parent_tool_use_id !== null || message.event.type !== "content_block_delta") return [];
      const delta = message.event.delta;
      if (delta?.type === "text_delta" && delta.text) return [{ type: "message_chunk", text: delta.text }];
      if (delta?.type === "thinking_delta" && delta.thinking)
        return [{ type: "thought_chunk", text: delta.thinking }];
      return [];
    }
    case "assistant":
      return blocksOf(message.message.content)
        .filter((block) => block.type === "tool_use" && typeof block.id === "string")
        .filter((block) => !seenToolCalls.has(block.id as string))
        .map((block) => {
          const toolCallId = block.id as string;
          seenToolCalls.add(toolCallId);
          return {
            type: "tool_call",
            toolCallId,
            ...toolInfo(String(block.name), block.input),
            status: "pending",
            input: block.input,
          };
        });
    case "user":
      return blocksOf(message.message.content)
        .filter((block) => block.type === "tool_result" && typeof block.tool_use_id === "string")
        .map((block) => ({
          type: "tool_call_update",
          toolCallId: block.tool_use_id as string,
          status: block.is_error ? "failed" : "completed",
          output: block.content,
        }));
    default:
      return [];
  }
}

function blocksOf(content: readonly ContentBlockParam[] | string): readonly ContentBlockParam[] {
  return typeof content === "string" ? [] : content;
}

/** Thrown for a `result` that reports a failed turn (API errors, crashes inside Claude Code). */
export class ClaudeCodeTurnError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ClaudeCodeTurnError";
  }
}

const LIMIT_STOP_REASONS: Readonly<Record<string, string>> = {
  error_max_turns: "max_turns",
  error_max_budget_usd: "max_budget",
  error_max_structured_output_retries: "max_structured_output_retries",
};

/**
 * The stop reason a `result` ends the turn with. A cancelled turn is `cancelled` whatever Claude
 * Code reports after the interrupt; a failure throws.
 */
export function stopReasonOf(result: ResultMessage, cancelled: boolean): string {
  if (cancelled) return "cancelled";
  const limit = LIMIT_STOP_REASONS[result.subtype];
  if (limit) return limit;
  if (result.subtype !== "success" || result.is_error) {
    const detail = result.errors?.join("; ") || result.result || "no details";
    const kind = result.subtype === "success" ? "" : ` (${result.subtype})`;
    throw new ClaudeCodeTurnError(`Claude Code turn failed${kind}: ${detail}`);
  }
  // The model's own stop reason when it is not the ordinary end of a turn.
  if (result.stop_reason === "max_tokens" || result.stop_reason === "refusal") return result.stop_reason;
  return "end_turn";
}
