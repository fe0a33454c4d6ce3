import {
  EventType,
  isInputOrigin,
  parseSessionLoad,
  parseUserMessage,
  turnIdFor,
} from "@openaxon/protocol/vocabulary";
import { type AxonLinkEvent, Origin } from "./axon-link.js";

export { parseJsonObject, turnIdOf } from "@openaxon/protocol/vocabulary";

import type { QueuedTurn } from "./turn-queue.js";

/**
 * Loop prevention lives here: only USER and EXTERNAL events can start or steer a turn, so nothing the
 * agent or the system writes can ever make the broker act.
 */
export function isTurnTrigger(event: Pick<AxonLinkEvent, "origin" | "eventType">): boolean {
  return event.eventType === EventType.UserMessage && isInputOrigin(event.origin);
}

/** Cancels and permission answers are a user's decisions (the vocabulary says USER). */
export function isUserControl(event: AxonLinkEvent, eventType: string): boolean {
  return event.eventType === eventType && event.origin === Origin.User;
}

/** True for the lifecycle events this broker itself wrote (SYSTEM origin, its own source). */
export function isOwnSystemEvent(event: AxonLinkEvent, source: string): boolean {
  return event.origin === Origin.System && event.source === source;
}

/** The queue entry for a trigger. A malformed payload still becomes a turn (which then fails), so every trigger ends. */
export function queuedTurnFor(event: AxonLinkEvent): QueuedTurn {
  const turnId = turnIdFor(event.sequence);
  const message = parseUserMessage(event.payload);
  return {
    turnId,
    triggerSequence: event.sequence,
    content: message.ok ? message.value.content : { invalid: message.error },
  };
}

/** `session.new` / `session.load` from a user: they choose the agent's session at a turn boundary. */
export function isSessionRequest(event: AxonLinkEvent): boolean {
  return (
    event.origin === Origin.User &&
    (event.eventType === EventType.SessionNew || event.eventType === EventType.SessionLoad)
  );
}

/** The queue entry for a session request (its id names it, e.g. in logs; it is never a turn). */
export function queuedSessionRequestFor(event: AxonLinkEvent): QueuedTurn {
  const base = { turnId: `session_${event.sequence}`, triggerSequence: event.sequence, content: "" };
  if (event.eventType === EventType.SessionNew) return { ...base, session: { kind: "new" } };
  const load = parseSessionLoad(event.payload);
  return {
    ...base,
    session: load.ok ? { kind: "load", sessionId: load.value.session_id } : { invalid: load.error },
  };
}
