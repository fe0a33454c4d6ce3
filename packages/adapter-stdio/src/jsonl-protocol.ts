import type { ContentBlock, PermissionOption, ToolCallInfo, TurnOutput } from "@openaxon/broker";

/**
 * The tiny JSON-lines protocol of `jsonl` mode (one JSON object per line, both directions; see
 * README.md). Field names are snake_case like the axon's vocabulary.
 */

/** Broker → agent. */
export type BrokerToAgent =
  | { readonly type: "start"; readonly resume_session_id?: string }
  | { readonly type: "prompt"; readonly turn_id: string; readonly content: string | readonly ContentBlock[] }
  | { readonly type: "cancel"; readonly turn_id: string }
  | {
      readonly type: "permission_response";
      readonly request_id: string;
      readonly outcome: "selected";
      readonly option_id: string;
    }
  | { readonly type: "permission_response"; readonly request_id: string; readonly outcome: "rejected" };

interface WireToolCall {
  readonly tool_call_id: string;
  readonly title?: string;
  readonly kind?: string;
  readonly status?: string;
  readonly input?: unknown;
}

/** Agent → broker, parsed and checked. */
export type AgentToBroker =
  | { readonly type: "session"; readonly sessionId: string }
  | { readonly type: "output"; readonly output: Exclude<TurnOutput, { type: "completed" }> }
  | { readonly type: "completed"; readonly stopReason: string }
  | { readonly type: "failed"; readonly error: string }
  | {
      readonly type: "permission_request";
      readonly requestId: string;
      readonly toolCall: ToolCallInfo;
      readonly options: readonly PermissionOption[];
    };

const PERMISSION_KINDS = new Set(["allow_once", "allow_always", "reject_once", "reject_always"]);

/**
 * Parses one line from the agent; a string explains why a line is not a protocol message. Turn
 * messages may carry the `turn_id` they belong to, so a late line from an ended turn is recognised.
 */
export function parseAgentLine(line: string): (AgentToBroker & { readonly turnId?: string }) | string {
  let raw: Record<string, unknown>;
  try {
    const value: unknown = JSON.parse(line);
    if (value === null || typeof value !== "object" || Array.isArray(value)) return "not a JSON object";
    raw = value as Record<string, unknown>;
  } catch {
    return "not JSON";
  }
  const message = parseMessage(raw);
  if (typeof message === "string" || typeof raw.turn_id !== "string") return message;
  return { ...message, turnId: raw.turn_id };
}

function parseMessage(message: Record<string, unknown>): AgentToBroker | string {
  const str = (key: string) => (typeof message[key] === "string" ? (message[key] as string) : undefined);
  switch (message.type) {
    case "session": {
      const sessionId = str("session_id");
      return sessionId ? { type: "session", sessionId } : "session without session_id";
    }
    case "message_chunk":
    case "thought_chunk": {
      const text = str("text");
      return text === undefined
        ? `${message.type} without text`
        : { type: "output", output: { type: message.type, text } };
    }
    case "tool_call": {
      const call = toolCall(message as unknown as WireToolCall);
      return call
        ? { type: "output", output: { type: "tool_call", ...call } }
        : "tool_call without tool_call_id";
    }
    case "tool_call_update": {
      const id = str("tool_call_id");
      if (!id) return "tool_call_update without tool_call_id";
      return {
        type: "output",
        output: {
          type: "tool_call_update",
          toolCallId: id,
          ...(str("title") === undefined ? {} : { title: str("title") }),
          ...(str("kind") === undefined ? {} : { kind: str("kind") }),
          ...(str("status") === undefined ? {} : { status: str("status") }),
          ...(message.output === undefined ? {} : { output: message.output }),
        },
      };
    }
    case "plan":
      return Array.isArray(message.entries)
        ? { type: "output", output: { type: "plan", entries: message.entries } }
        : "plan without entries";
    case "permission_request": {
      const requestId = str("request_id");
      const call = toolCall(message.tool_call as WireToolCall | undefined);
      const options = Array.isArray(message.options) ? message.options.map(option) : [];
      if (!requestId || !call || options.length === 0 || options.some((o) => o === undefined)) {
        return "permission_request needs request_id, tool_call and options[{option_id, name, kind}]";
      }
      return {
        type: "permission_request",
        requestId,
        toolCall: call,
        options: options as PermissionOption[],
      };
    }
    case "completed":
      return { type: "completed", stopReason: str("stop_reason") ?? "end_turn" };
    case "failed":
      return { type: "failed", error: str("error") ?? "the agent reported a failure" };
    default:
      return `unknown message type ${JSON.stringify(message.type)}`;
  }
}

function toolCall(wire: WireToolCall | undefined): ToolCallInfo | undefined {
  if (!wire || typeof wire.tool_call_id !== "string") return undefined;
  return {
    toolCallId: wire.tool_call_id,
    title: wire.title ?? "",
    kind: wire.kind ?? "other",
    status: wire.status ?? "pending",
    ...(wire.input === undefined ? {} : { input: wire.input }),
  };
}

function option(value: unknown): PermissionOption | undefined {
  const o = value as { option_id?: unknown; name?: unknown; kind?: unknown } | null;
  if (!o || typeof o.option_id !== "string" || typeof o.kind !== "string" || !PERMISSION_KINDS.has(o.kind)) {
    return undefined;
  }
  return {
    optionId: o.option_id,
    name: typeof o.name === "string" ? o.name : o.option_id,
    kind: o.kind as PermissionOption["kind"],
  };
}
