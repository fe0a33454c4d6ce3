import { EventType, Origin, turnIdOf } from "@openaxon/protocol/vocabulary";
import type { EventInput } from "@openaxon/store";

export type TurnOutcomeLabel = "completed" | "cancelled" | "failed";

export interface TurnEnd {
  /** `turn_<trigger sequence>`, when the payload names it. */
  readonly turnId: string | undefined;
  readonly outcome: TurnOutcomeLabel;
  readonly stopReason: string;
}

/**
 * Stop reasons of `turn.completed` kept as label values; any other string an adapter reports is
 * "other", so an agent cannot grow the metric's series without bound.
 */
const KNOWN_STOP_REASONS = new Set(["end_turn", "max_tokens", "max_turn_requests", "refusal", "cancelled"]);

/**
 * How a turn ended, read from the broker's terminal event (SYSTEM `turn.completed` or `turn.failed`),
 * or undefined for any other event. A completed turn whose stop reason is `cancelled` counts as
 * cancelled; `stopReason` is "" for failed turns.
 */
export function turnOutcomeOf(event: EventInput): TurnEnd | undefined {
  if (event.origin !== Origin.System) return undefined;
  if (event.eventType === EventType.TurnFailed)
    return { turnId: turnIdOf(event), outcome: "failed", stopReason: "" };
  if (event.eventType !== EventType.TurnCompleted) return undefined;
  const stopReason = stopReasonOf(event.payload);
  const outcome = stopReason === "cancelled" ? "cancelled" : "completed";
  return { turnId: turnIdOf(event), outcome, stopReason };
}

function stopReasonOf(payload: string): string {
  try {
    const reason = (JSON.parse(payload) as { stop_reason?: unknown }).stop_reason;
    return typeof reason === "string" && KNOWN_STOP_REASONS.has(reason) ? reason : "other";
  } catch {
    return "other";
  }
}
