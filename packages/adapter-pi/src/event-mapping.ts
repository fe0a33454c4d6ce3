import type { TurnOutput } from "@openaxon/broker";
import { type PiEvent, type PiMessage, resultText } from "./rpc-protocol.js";
import { toolInfo } from "./tool-info.js";

/**
 * Pi's agent events as normalized turn output. `running` holds the tool calls already reported
 * in progress, so a tool streaming output (bash does, chunk by chunk) is reported running once;
 * its output arrives whole with the final update.
 */
export function turnOutputsOf(event: PiEvent, running: Set<string>): TurnOutput[] {
  switch (event.type) {
    case "message_update": {
      const { type, delta } = event.assistantMessageEvent;
      if (delta === undefined || delta.length === 0) return [];
      if (type === "text_delta") return [{ type: "message_chunk", text: delta }];
      if (type === "thinking_delta") return [{ type: "thought_chunk", text: delta }];
      return [];
    }
    case "tool_execution_start":
      return [
        {
          type: "tool_call",
          toolCallId: event.toolCallId,
          ...toolInfo(event.toolName, event.args),
          status: "pending",
          input: event.args,
        },
      ];
    case "tool_execution_update":
      if (running.has(event.toolCallId)) return [];
      running.add(event.toolCallId);
      return [{ type: "tool_call_update", toolCallId: event.toolCallId, status: "in_progress" }];
    case "tool_execution_end":
      running.delete(event.toolCallId);
      return [
        {
          type: "tool_call_update",
          toolCallId: event.toolCallId,
          status: event.isError ? "failed" : "completed",
          output: resultText(event.result),
        },
      ];
    default:
      return [];
  }
}

/** Pi's assistant stop reasons in the vocabulary's (ACP's) terms. */
const STOP_REASONS: Readonly<Record<string, string>> = {
  stop: "end_turn",
  toolUse: "end_turn",
  length: "max_tokens",
  aborted: "cancelled",
};

/**
 * How a run (`agent_end`) ended, from its last assistant message: a stop reason, or an error
 * thrown when the model request failed. A cancelled turn is `cancelled` whatever Pi says.
 */
export function stopReasonOf(messages: readonly PiMessage[], cancelled: boolean): string {
  if (cancelled) return "cancelled";
  const last = messages.findLast((message) => message.role === "assistant");
  if (last?.stopReason === "error") {
    throw new Error(`turn failed: ${last.errorMessage ?? "Pi reported an error without a message"}`);
  }
  return STOP_REASONS[last?.stopReason ?? "stop"] ?? last?.stopReason ?? "end_turn";
}
