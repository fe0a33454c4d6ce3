import type { AxonEvent } from "@openaxon/client";
import {
  EventType,
  type PermissionOptionPayload,
  type TurnPermissionRequestPayload,
  type TurnToolCallPayload,
  type TurnToolCallUpdatePayload,
  turnIdFor,
} from "@openaxon/protocol/vocabulary";

interface ItemBase {
  /** Stable across updates: the first event's sequence. */
  readonly key: number;
  /** The turn this item belongs to, when it belongs to one. */
  readonly turnId: string | undefined;
  /** Every event folded into this item, oldest first. */
  readonly events: readonly AxonEvent[];
}

export type TimelineItem =
  | (ItemBase & { readonly kind: "prompt"; readonly text: string })
  | (ItemBase & { readonly kind: "text"; readonly thought: boolean; readonly text: string })
  | (ItemBase & {
      readonly kind: "tool";
      readonly toolCallId: string;
      readonly title: string;
      readonly toolKind: string;
      readonly status: string;
      /** From the call to its last update, once it is completed or failed. */
      readonly durationMs: number | undefined;
    })
  | (ItemBase & {
      readonly kind: "permission";
      readonly requestId: string;
      readonly title: string;
      readonly options: readonly PermissionOptionPayload[];
      /** The chosen option's id, "rejected", or undefined while unanswered. */
      readonly answer: string | undefined;
    })
  | (ItemBase & { readonly kind: "turn-start" })
  | (ItemBase & { readonly kind: "turn-end"; readonly failed: boolean; readonly reason: string })
  | (ItemBase & { readonly kind: "event"; readonly summary: string });

export type TimelineItemKind = TimelineItem["kind"];

/**
 * Folds an axon's events, in sequence order, into the items the timeline draws: a turn's message
 * chunks coalesce into one text, a tool call and its updates into one row, a permission request
 * and its answer into one row. Items are replaced, never mutated, so a view can memoise on
 * identity; `items` only grows.
 */
export class TimelineModel {
  readonly items: TimelineItem[] = [];
  /** Highest sequence folded in. */
  lastSequence = 0;
  private readonly itemOfSequence = new Map<number, number>();
  private readonly toolItems = new Map<string, number>();
  private readonly permissionItems = new Map<string, number>();
  /** Turns started and not yet ended. */
  readonly openTurns = new Set<string>();
  /**
   * Prompts waiting behind the running turn, by turn id, oldest first. The broker runs turns in
   * trigger order, so only prompts after the last started one can still be waiting; a queued turn
   * that is cancelled ends without starting.
   */
  readonly queuedTurns = new Map<string, { readonly sequence: number; readonly text: string }>();
  private lastStartedTrigger = 0;

  append(events: readonly AxonEvent[]): void {
    for (const event of events) {
      if (event.sequence <= this.lastSequence) continue;
      this.lastSequence = event.sequence;
      this.fold(event);
    }
  }

  /** Index in `items` of the item holding this sequence (or the nearest after it). */
  indexOfSequence(sequence: number): number | undefined {
    for (let s = sequence; s <= this.lastSequence; s++) {
      const index = this.itemOfSequence.get(s);
      if (index !== undefined) return index;
    }
    return undefined;
  }

  private fold(event: AxonEvent): void {
    const data = parse(event.payload);
    const turnId = typeof data.turn_id === "string" ? data.turn_id : undefined;
    switch (event.eventType) {
      case EventType.UserMessage: {
        const text = promptText(data.content);
        // Only a user's or an external system's message triggers a turn (loop prevention).
        const trigger = event.origin === "user" || event.origin === "external";
        const promptTurn = trigger ? turnIdFor(event.sequence) : undefined;
        if (promptTurn) this.queuedTurns.set(promptTurn, { sequence: event.sequence, text });
        this.push({ kind: "prompt", key: event.sequence, turnId: promptTurn, events: [event], text });
        return;
      }
      case EventType.TurnStarted:
        if (turnId) this.turnStarted(turnId, data.trigger_sequence);
        this.push({ kind: "turn-start", key: event.sequence, turnId, events: [event] });
        return;
      case EventType.TurnMessageChunk:
      case EventType.TurnThoughtChunk:
        this.foldText(event, turnId, event.eventType === EventType.TurnThoughtChunk, data);
        return;
      case EventType.TurnToolCall:
        this.foldToolCall(event, turnId, data as unknown as TurnToolCallPayload);
        return;
      case EventType.TurnToolCallUpdate:
        this.foldToolUpdate(event, turnId, data as unknown as TurnToolCallUpdatePayload);
        return;
      case EventType.TurnPermissionRequest:
        this.foldPermissionRequest(event, turnId, data as unknown as TurnPermissionRequestPayload);
        return;
      case EventType.PermissionResponse:
        this.foldPermissionResponse(event, data);
        return;
      case EventType.TurnCompleted:
      case EventType.TurnFailed: {
        if (turnId) {
          this.openTurns.delete(turnId);
          this.queuedTurns.delete(turnId);
        }
        const failed = event.eventType === EventType.TurnFailed;
        const reason = String((failed ? data.error : data.stop_reason) ?? "");
        this.push({ kind: "turn-end", key: event.sequence, turnId, events: [event], failed, reason });
        return;
      }
      default:
        this.push({
          kind: "event",
          key: event.sequence,
          turnId,
          events: [event],
          summary: summarize(event.eventType, data),
        });
        return;
    }
  }

  private turnStarted(turnId: string, triggerSequence: unknown): void {
    this.openTurns.add(turnId);
    this.queuedTurns.delete(turnId);
    if (typeof triggerSequence !== "number" || triggerSequence <= this.lastStartedTrigger) return;
    this.lastStartedTrigger = triggerSequence;
    // Prompts before a started trigger were skipped or answered elsewhere: none of them still waits.
    for (const [id, queued] of this.queuedTurns) {
      if (queued.sequence < triggerSequence) this.queuedTurns.delete(id);
    }
  }

  private foldText(event: AxonEvent, turnId: string | undefined, thought: boolean, data: Payload): void {
    const text = typeof data.text === "string" ? data.text : "";
    const lastIndex = this.items.length - 1;
    const last = this.items[lastIndex];
    if (last?.kind === "text" && last.turnId === turnId && last.thought === thought) {
      this.replace(lastIndex, { ...last, events: [...last.events, event], text: last.text + text }, event);
      return;
    }
    this.push({ kind: "text", key: event.sequence, turnId, events: [event], thought, text });
  }

  private foldToolCall(event: AxonEvent, turnId: string | undefined, call: TurnToolCallPayload): void {
    this.toolItems.set(`${turnId}/${call.tool_call_id}`, this.items.length);
    this.push({
      kind: "tool",
      key: event.sequence,
      turnId,
      events: [event],
      toolCallId: String(call.tool_call_id ?? ""),
      title: String(call.title ?? ""),
      toolKind: String(call.kind ?? ""),
      status: String(call.status ?? ""),
      durationMs: undefined,
    });
  }

  private foldToolUpdate(
    event: AxonEvent,
    turnId: string | undefined,
    update: TurnToolCallUpdatePayload,
  ): void {
    const index = this.toolItems.get(`${turnId}/${update.tool_call_id}`);
    const item = index === undefined ? undefined : this.items[index];
    if (index === undefined || item?.kind !== "tool") {
      this.push({
        kind: "event",
        key: event.sequence,
        turnId,
        events: [event],
        summary: `update of unknown tool call ${update.tool_call_id}`,
      });
      return;
    }
    const status = update.status ?? item.status;
    const ended = status === "completed" || status === "failed";
    this.replace(
      index,
      {
        ...item,
        events: [...item.events, event],
        title: update.title ?? item.title,
        toolKind: update.kind ?? item.toolKind,
        status,
        durationMs: ended ? event.timestampMs - item.events[0]!.timestampMs : undefined,
      },
      event,
    );
  }

  private foldPermissionRequest(
    event: AxonEvent,
    turnId: string | undefined,
    request: TurnPermissionRequestPayload,
  ): void {
    this.permissionItems.set(String(request.request_id), this.items.length);
    this.push({
      kind: "permission",
      key: event.sequence,
      turnId,
      events: [event],
      requestId: String(request.request_id ?? ""),
      title: String(request.tool_call?.title ?? ""),
      options: Array.isArray(request.options) ? request.options : [],
      answer: undefined,
    });
  }

  private foldPermissionResponse(event: AxonEvent, data: Payload): void {
    const index = this.permissionItems.get(String(data.request_id));
    const item = index === undefined ? undefined : this.items[index];
    const answer = typeof data.option_id === "string" ? data.option_id : "rejected";
    if (index === undefined || item?.kind !== "permission" || item.answer !== undefined) {
      this.push({
        kind: "event",
        key: event.sequence,
        turnId: undefined,
        events: [event],
        summary: `answer ${answer} to ${String(data.request_id)}`,
      });
      return;
    }
    this.replace(index, { ...item, events: [...item.events, event], answer }, event);
  }

  private push(item: TimelineItem): void {
    this.itemOfSequence.set(item.key, this.items.length);
    this.items.push(item);
  }

  private replace(index: number, item: TimelineItem, event: AxonEvent): void {
    this.itemOfSequence.set(event.sequence, index);
    this.items[index] = item;
  }
}

type Payload = Record<string, unknown>;

function parse(payload: string): Payload {
  try {
    const value: unknown = JSON.parse(payload);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Payload) : {};
  } catch {
    return {};
  }
}

function promptText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((block: { type?: string; text?: string; name?: string; uri?: string }) =>
      block.type === "text" ? (block.text ?? "") : `[${block.type}: ${block.name ?? block.uri ?? ""}]`,
    )
    .join("\n");
}

/** `before_suspend: ./save.sh exited 0 in 120 ms`, or why it did not. The output stays in the raw view. */
function describeHook(data: Payload): string {
  const head = `${data.hook ?? "hook"}: ${data.command ?? ""}`;
  if (typeof data.error === "string") return `${head} could not run — ${data.error}`;
  const took = `${data.duration_ms ?? "?"} ms`;
  if (data.timed_out === true)
    return `${head} killed at its ${data.deadline_ms ?? "?"} ms deadline (${data.signal ?? "?"})`;
  if (typeof data.exit_code === "number") return `${head} exited ${data.exit_code} in ${took}`;
  return `${head} ended by ${data.signal ?? "a signal"} in ${took}`;
}

/** One line for events the timeline has no special row for: runtime lifecycle, gateway audit, logs. */
export function summarize(eventType: string, data: Payload): string {
  switch (eventType) {
    case EventType.GatewayAllowed:
    case EventType.GatewayDenied:
    case EventType.GatewaySuppressed:
      if (typeof data.host !== "string") break;
      return `${data.host}:${data.port} — ${data.reason ?? ""} (${data.runtime_id ?? "?"})`;
    case EventType.RuntimeRunning:
    case EventType.RuntimeSuspended:
    case EventType.RuntimeResumed:
    case EventType.RuntimeShutdown:
    case EventType.RuntimeFailed:
      return `${data.runtime_id ?? ""}${data.reason ? ` — ${data.reason}` : ""}`;
    case EventType.RuntimeHook:
      return describeHook(data);
    case EventType.SessionStarted:
      return `${data.protocol ?? ""} session ${data.agent_session_id ?? ""} (${data.restored_by ?? ""})`;
    case EventType.AgentLog:
    case EventType.BrokerError:
      return String(data.message ?? "");
    case EventType.TurnCancel:
      return data.turn_id ? `cancel ${data.turn_id}` : "cancel the running turn";
  }
  const text = JSON.stringify(data);
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
}
