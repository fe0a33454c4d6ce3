import type { ContentBlock } from "./agent-adapter.js";
import { type AxonLinkEvent, Origin } from "./axon-link.js";
import { EventType, turnIdFor } from "./event-types.js";
import type { QueuedTurn } from "./turn-queue.js";

/**
 * Loop prevention lives here: only USER and EXTERNAL events can start or steer a turn, so nothing the
 * agent or the system writes can ever make the broker act.
 */
export function isTurnTrigger(event: Pick<AxonLinkEvent, "origin" | "eventType">): boolean {
  return (
    event.eventType === EventType.UserMessage &&
    (event.origin === Origin.User || event.origin === Origin.External)
  );
}

/** Cancels and permission answers are a user's decisions (the vocabulary says USER). */
export function isUserControl(event: AxonLinkEvent, eventType: string): boolean {
  return event.eventType === eventType && event.origin === Origin.User;
}

/** True for the lifecycle events this broker itself wrote (SYSTEM origin, its own source). */
export function isOwnSystemEvent(event: AxonLinkEvent, source: string): boolean {
  return event.origin === Origin.System && event.source === source;
}

export function parseJsonObject(payload: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(payload);
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The queue entry for a trigger. A malformed payload still becomes a turn (which then fails), so every trigger ends. */
export function queuedTurnFor(event: AxonLinkEvent): QueuedTurn {
  const turnId = turnIdFor(event.sequence);
  const body = parseJsonObject(event.payload);
  const content = body?.content;
  if (typeof content === "string") return { turnId, triggerSequence: event.sequence, content };
  if (Array.isArray(content) && content.every(isContentBlock)) {
    return { turnId, triggerSequence: event.sequence, content: content as ContentBlock[] };
  }
  return {
    turnId,
    triggerSequence: event.sequence,
    content: { invalid: "user.message payload must be {content: string | ContentBlock[]}" },
  };
}

function isContentBlock(value: unknown): boolean {
  return (
    value !== null && typeof value === "object" && typeof (value as { type?: unknown }).type === "string"
  );
}

/** The `turn_id` of a turn lifecycle event, if it has one. */
export function turnIdOf(event: AxonLinkEvent): string | undefined {
  const id = parseJsonObject(event.payload)?.turn_id;
  return typeof id === "string" ? id : undefined;
}
