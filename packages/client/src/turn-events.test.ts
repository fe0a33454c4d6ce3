import { describe, expect, it } from "vitest";
import { describeTurnEvent, turnIdOf } from "./turn-events.js";

const ev = (eventType: string, payload: unknown) => ({ eventType, payload: JSON.stringify(payload) });

describe("describeTurnEvent", () => {
  it("gives camelCase views of the vocabulary", () => {
    expect(
      describeTurnEvent(
        ev("turn.permission_request", {
          turn_id: "turn_3",
          request_id: "perm_3_1",
          tool_call: {
            tool_call_id: "t1",
            title: "Edit a.ts",
            kind: "edit",
            status: "pending",
            input: { p: 1 },
          },
          options: [{ option_id: "allow", name: "Allow", kind: "allow_once" }],
        }),
      ),
    ).toEqual({
      type: "permission_request",
      turnId: "turn_3",
      requestId: "perm_3_1",
      toolCall: { toolCallId: "t1", title: "Edit a.ts", kind: "edit", status: "pending", input: { p: 1 } },
      options: [{ optionId: "allow", name: "Allow", kind: "allow_once" }],
    });
    expect(
      describeTurnEvent(
        ev("turn.tool_call_update", { turn_id: "turn_3", tool_call_id: "t1", status: "completed" }),
      ),
    ).toEqual({
      type: "tool_call_update",
      turnId: "turn_3",
      toolCallId: "t1",
      status: "completed",
    });
    expect(describeTurnEvent(ev("turn.failed", { turn_id: "turn_3", error: "exit 3" }))).toEqual({
      type: "failed",
      turnId: "turn_3",
      error: "exit 3",
    });
  });

  it("passes unknown turn events through as other, and survives malformed payloads", () => {
    expect(describeTurnEvent(ev("turn.future", { turn_id: "turn_1", x: 1 }))).toEqual({
      type: "other",
      turnId: "turn_1",
      eventType: "turn.future",
      data: { turn_id: "turn_1", x: 1 },
    });
    expect(describeTurnEvent({ eventType: "turn.message_chunk", payload: "[1]" })).toEqual({
      type: "message_chunk",
      turnId: "",
      text: "",
    });
  });
});

describe("turnIdOf", () => {
  it("reads turn ids of turn.* events only", () => {
    expect(turnIdOf(ev("turn.message_chunk", { turn_id: "turn_9", text: "x" }))).toBe("turn_9");
    expect(turnIdOf(ev("user.message", { turn_id: "turn_9" }))).toBeUndefined();
    expect(turnIdOf(ev("turn.started", { turn_id: 9 }))).toBeUndefined();
  });
});
