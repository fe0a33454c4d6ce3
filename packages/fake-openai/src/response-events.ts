import type { FunctionCallReply, TextReply } from "./replies.js";

/** One server-sent event of the Responses streaming API, or a pause between two of them. */
export type StreamStep =
  | { readonly kind: "event"; readonly event: string; readonly data: Readonly<Record<string, unknown>> }
  | { readonly kind: "pause"; readonly ms: number };

export interface ResponseContext {
  /** Unique per response; item ids and generated call ids derive from it. */
  readonly responseId: string;
  readonly model: string;
  readonly inputTokens: number;
}

type OutputItem = Record<string, unknown> & { readonly type: string; readonly id: string };

const event = (type: string, data: Record<string, unknown>): StreamStep => ({
  kind: "event",
  event: type,
  data: { type, ...data },
});

function responseObject(context: ResponseContext, status: string, output: readonly OutputItem[]) {
  const outputChars = output.reduce((sum, item) => sum + JSON.stringify(item).length, 0);
  const outputTokens = Math.max(1, Math.ceil(outputChars / 4));
  return {
    id: context.responseId,
    object: "response",
    status,
    model: context.model,
    output,
    usage:
      status === "completed"
        ? {
            input_tokens: context.inputTokens,
            input_tokens_details: { cached_tokens: 0 },
            output_tokens: outputTokens,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens: context.inputTokens + outputTokens,
          }
        : null,
  };
}

function* messageSteps(
  index: number,
  id: string,
  chunks: readonly string[],
  delayMs: number | undefined,
): Generator<StreamStep, OutputItem> {
  const text = chunks.join("");
  yield event("response.output_item.added", {
    output_index: index,
    item: { type: "message", id, role: "assistant", status: "in_progress", content: [] },
  });
  yield event("response.content_part.added", {
    output_index: index,
    item_id: id,
    content_index: 0,
    part: { type: "output_text", text: "", annotations: [] },
  });
  for (const [i, chunk] of chunks.entries()) {
    if (i > 0 && delayMs) yield { kind: "pause", ms: delayMs };
    yield event("response.output_text.delta", {
      output_index: index,
      item_id: id,
      content_index: 0,
      delta: chunk,
    });
  }
  yield event("response.output_text.done", { output_index: index, item_id: id, content_index: 0, text });
  const item: OutputItem = {
    type: "message",
    id,
    role: "assistant",
    status: "completed",
    content: [{ type: "output_text", text, annotations: [] }],
  };
  yield event("response.output_item.done", { output_index: index, item });
  return item;
}

function* reasoningSteps(index: number, id: string, text: string): Generator<StreamStep, OutputItem> {
  yield event("response.output_item.added", {
    output_index: index,
    item: { type: "reasoning", id, summary: [] },
  });
  yield event("response.reasoning_summary_part.added", {
    output_index: index,
    item_id: id,
    summary_index: 0,
    part: { type: "summary_text", text: "" },
  });
  yield event("response.reasoning_summary_text.delta", {
    output_index: index,
    item_id: id,
    summary_index: 0,
    delta: text,
  });
  yield event("response.reasoning_summary_text.done", {
    output_index: index,
    item_id: id,
    summary_index: 0,
    text,
  });
  const item: OutputItem = { type: "reasoning", id, summary: [{ type: "summary_text", text }] };
  yield event("response.output_item.done", { output_index: index, item });
  return item;
}

function* functionCallSteps(
  index: number,
  id: string,
  reply: FunctionCallReply,
  callId: string,
): Generator<StreamStep, OutputItem> {
  const args = JSON.stringify(reply.arguments);
  const named = { name: reply.name, ...(reply.namespace ? { namespace: reply.namespace } : {}) };
  const half = Math.ceil(args.length / 2);
  yield event("response.output_item.added", {
    output_index: index,
    item: {
      type: "function_call",
      id,
      call_id: callId,
      name: reply.name,
      arguments: "",
      status: "in_progress",
    },
  });
  // The arguments arrive in two deltas, so a client that assembles them is exercised.
  for (const delta of [args.slice(0, half), args.slice(half)]) {
    yield event("response.function_call_arguments.delta", { output_index: index, item_id: id, delta });
  }
  yield event("response.function_call_arguments.done", { output_index: index, item_id: id, arguments: args });
  const item: OutputItem = {
    type: "function_call",
    id,
    call_id: callId,
    ...named,
    arguments: args,
    status: "completed",
  };
  yield event("response.output_item.done", { output_index: index, item });
  return item;
}

/** The SSE steps of one streamed response: created, the output items, completed. */
export function* renderStream(
  reply: TextReply | FunctionCallReply,
  context: ResponseContext,
): Generator<StreamStep> {
  const output: OutputItem[] = [];
  let sequence = 0;
  const ids = () => `${context.responseId.replace(/^resp_/, "")}_${++sequence}`;
  yield event("response.created", { response: responseObject(context, "in_progress", []) });
  yield event("response.in_progress", { response: responseObject(context, "in_progress", []) });
  if (reply.type === "text") {
    if (reply.reasoning) output.push(yield* reasoningSteps(output.length, `rs_${ids()}`, reply.reasoning));
    output.push(yield* messageSteps(output.length, `msg_${ids()}`, reply.chunks, reply.chunkDelayMs));
  } else {
    if (reply.text) output.push(yield* messageSteps(output.length, `msg_${ids()}`, [reply.text], undefined));
    const id = ids();
    output.push(yield* functionCallSteps(output.length, `fc_${id}`, reply, reply.callId ?? `call_${id}`));
  }
  yield event("response.completed", { response: responseObject(context, "completed", output) });
}

/** One SSE frame with an `event:` line, as the Responses API sends them. */
export function formatSse(step: Extract<StreamStep, { kind: "event" }>): string {
  return `event: ${step.event}\ndata: ${JSON.stringify(step.data)}\n\n`;
}
