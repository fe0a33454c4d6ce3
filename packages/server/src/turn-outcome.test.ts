import { EventType, Origin } from "@openaxon/protocol/vocabulary";
import type { EventInput } from "@openaxon/store";
import { describe, expect, test } from "vitest";
import { turnOutcomeOf } from "./turn-outcome.js";

const event = (eventType: string, payload: unknown, origin: Origin = Origin.System): EventInput => ({
  origin,
  source: "broker",
  eventType,
  payload: typeof payload === "string" ? payload : JSON.stringify(payload),
});

describe("turnOutcomeOf", () => {
  test("reads the broker's terminal events", () => {
    expect(
      turnOutcomeOf(event(EventType.TurnCompleted, { turn_id: "turn_1", stop_reason: "end_turn" })),
    ).toEqual({ turnId: "turn_1", outcome: "completed", stopReason: "end_turn" });
    expect(
      turnOutcomeOf(event(EventType.TurnCompleted, { turn_id: "turn_1", stop_reason: "cancelled" })),
    ).toEqual({ turnId: "turn_1", outcome: "cancelled", stopReason: "cancelled" });
    expect(turnOutcomeOf(event(EventType.TurnFailed, { turn_id: "turn_1", error: "boom" }))).toEqual({
      turnId: "turn_1",
      outcome: "failed",
      stopReason: "",
    });
  });

  test("bounds the stop reason label: unknown or unreadable reasons are 'other'", () => {
    expect(turnOutcomeOf(event(EventType.TurnCompleted, { stop_reason: "x".repeat(50) }))?.stopReason).toBe(
      "other",
    );
    expect(turnOutcomeOf(event(EventType.TurnCompleted, "not json"))?.stopReason).toBe("other");
    expect(turnOutcomeOf(event(EventType.TurnCompleted, {}))?.stopReason).toBe("other");
  });

  test("ignores every other event, and terminal types not written by the broker (SYSTEM)", () => {
    expect(turnOutcomeOf(event(EventType.TurnStarted, { turn_id: "turn_1" }))).toBeUndefined();
    expect(turnOutcomeOf(event(EventType.UserMessage, { content: "hi" }, Origin.User))).toBeUndefined();
    expect(
      turnOutcomeOf(event(EventType.TurnCompleted, { stop_reason: "end_turn" }, Origin.User)),
    ).toBeUndefined();
  });
});
