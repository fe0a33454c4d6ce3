import type { TextReply, ToolUseReply } from "./replies.js";

/** One server-sent event of the Messages streaming API, or a pause between two of them. */
export type StreamStep =
  | { readonly kind: "event"; readonly event: string; readonly data: Readonly<Record<string, unknown>> }
  | { readonly kind: "pause"; readonly ms: number };

export interface MessageContext {
  readonly messageId: string;
  readonly model: string;
  readonly inputTokens: number;
  /** Id for a tool_use block when the reply names none. */
  readonly toolUseId: string;
}

type ContentBlock =
  | { type: "text"; text: string }
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "tool_use"; id: string; name: string; input: Readonly<Record<string, unknown>> };

// Claude Code keeps thinking blocks and sends them back; any non-empty signature is accepted here.
const FAKE_SIGNATURE = "fake-signature";

function contentOf(reply: TextReply | ToolUseReply, context: MessageContext): ContentBlock[] {
  if (reply.type === "tool_use") {
    const blocks: ContentBlock[] = reply.text ? [{ type: "text", text: reply.text }] : [];
    blocks.push({
      type: "tool_use",
      id: reply.id ?? context.toolUseId,
      name: reply.name,
      input: reply.input,
    });
    return blocks;
  }
  const blocks: ContentBlock[] = reply.thinking
    ? [{ type: "thinking", thinking: reply.thinking, signature: FAKE_SIGNATURE }]
    : [];
  blocks.push({ type: "text", text: reply.chunks.join("") });
  return blocks;
}

function stopReasonOf(reply: TextReply | ToolUseReply): string {
  return reply.type === "tool_use" ? "tool_use" : (reply.stopReason ?? "end_turn");
}

function outputTokens(blocks: readonly ContentBlock[]): number {
  const chars = blocks.reduce((sum, block) => sum + JSON.stringify(block).length, 0);
  return Math.max(1, Math.ceil(chars / 4));
}

/** The non-streaming answer: one complete `message` object. */
export function renderMessage(
  reply: TextReply | ToolUseReply,
  context: MessageContext,
): Record<string, unknown> {
  const content = contentOf(reply, context);
  return {
    id: context.messageId,
    type: "message",
    role: "assistant",
    model: context.model,
    content,
    stop_reason: stopReasonOf(reply),
    stop_sequence: null,
    usage: {
      input_tokens: context.inputTokens,
      output_tokens: outputTokens(content),
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    },
  };
}

function event(name: string, data: Record<string, unknown>): StreamStep {
  return { kind: "event", event: name, data: { type: name, ...data } };
}

function blockSteps(block: ContentBlock, index: number, reply: TextReply | ToolUseReply): StreamStep[] {
  const steps: StreamStep[] = [];
  const delta = (d: Record<string, unknown>) => steps.push(event("content_block_delta", { index, delta: d }));
  switch (block.type) {
    case "thinking":
      steps.push(event("content_block_start", { index, content_block: { type: "thinking", thinking: "" } }));
      delta({ type: "thinking_delta", thinking: block.thinking });
      delta({ type: "signature_delta", signature: block.signature });
      break;
    case "text":
      steps.push(event("content_block_start", { index, content_block: { type: "text", text: "" } }));
      if (reply.type === "text") {
        reply.chunks.forEach((chunk, i) => {
          if (i > 0 && reply.chunkDelayMs) steps.push({ kind: "pause", ms: reply.chunkDelayMs });
          delta({ type: "text_delta", text: chunk });
        });
      } else {
        delta({ type: "text_delta", text: block.text });
      }
      break;
    case "tool_use": {
      const json = JSON.stringify(block.input);
      steps.push(
        event("content_block_start", {
          index,
          content_block: { type: "tool_use", id: block.id, name: block.name, input: {} },
        }),
      );
      // Split the arguments like the real API does, so clients must assemble partial JSON.
      const middle = Math.ceil(json.length / 2);
      delta({ type: "input_json_delta", partial_json: json.slice(0, middle) });
      delta({ type: "input_json_delta", partial_json: json.slice(middle) });
      break;
    }
  }
  steps.push(event("content_block_stop", { index }));
  return steps;
}

/** The streaming answer, event by event, with the reply's pauses in between. */
export function renderStream(reply: TextReply | ToolUseReply, context: MessageContext): StreamStep[] {
  const content = contentOf(reply, context);
  const start = renderMessage(reply, context);
  const steps: StreamStep[] = [
    event("message_start", {
      message: {
        ...start,
        content: [],
        stop_reason: null,
        usage: { ...(start.usage as Record<string, unknown>), output_tokens: 1 },
      },
    }),
    event("ping", {}),
  ];
  content.forEach((block, index) => {
    steps.push(...blockSteps(block, index, reply));
  });
  steps.push(
    event("message_delta", {
      delta: { stop_reason: stopReasonOf(reply), stop_sequence: null },
      usage: { output_tokens: outputTokens(content) },
    }),
    event("message_stop", {}),
  );
  return steps;
}

/** Formats one step as it goes on the wire: `event:` line, `data:` line, blank line. */
export function formatSse(step: Extract<StreamStep, { kind: "event" }>): string {
  return `event: ${step.event}\ndata: ${JSON.stringify(step.data)}\n\n`;
}
