import type { AxonEvent, OriginName } from "@openaxon/client";
import { EventType } from "@openaxon/protocol/vocabulary";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { summarize, TimelineModel } from "./timeline-model.js";

let seq = 0;
function event(eventType: string, payload: object, origin: OriginName = "agent"): AxonEvent {
  const text = JSON.stringify(payload);
  seq += 1;
  return {
    sequence: seq,
    axonId: "axn_1",
    timestampMs: 1_000 * seq,
    origin,
    source: "test",
    eventType,
    payload: text,
    data: () => JSON.parse(text),
  };
}

describe("TimelineModel", () => {
  it("coalesces a turn's chunks, folds tool updates and permission answers into their rows", () => {
    seq = 0;
    const m = new TimelineModel();
    m.append([
      event(EventType.UserMessage, { content: "hi" }, "user"),
      event(EventType.TurnStarted, { turn_id: "turn_1", trigger_sequence: 1 }, "system"),
      event(EventType.TurnMessageChunk, { turn_id: "turn_1", text: "Hel" }),
      event(EventType.TurnMessageChunk, { turn_id: "turn_1", text: "lo" }),
      event(EventType.TurnToolCall, {
        turn_id: "turn_1",
        tool_call_id: "t",
        title: "ls",
        kind: "read",
        status: "pending",
      }),
      event(EventType.TurnToolCallUpdate, { turn_id: "turn_1", tool_call_id: "t", status: "completed" }),
      event(EventType.TurnMessageChunk, { turn_id: "turn_1", text: "done" }),
      event(
        EventType.TurnPermissionRequest,
        { turn_id: "turn_1", request_id: "p", tool_call: { title: "rm" }, options: [] },
        "system",
      ),
      event(EventType.PermissionResponse, { request_id: "p", outcome: "rejected" }, "user"),
      event(EventType.TurnCompleted, { turn_id: "turn_1", stop_reason: "end_turn" }, "system"),
    ]);
    expect(m.items.map((i) => i.kind)).toEqual([
      "prompt",
      "turn-start",
      "text",
      "tool",
      "text",
      "permission",
      "turn-end",
    ]);
    expect(m.items[2]).toMatchObject({ text: "Hello", turnId: "turn_1" });
    expect(m.items[3]).toMatchObject({ status: "completed", durationMs: 1_000 });
    expect(m.items[5]).toMatchObject({ answer: "rejected" });
    expect(m.items[6]).toMatchObject({ reason: "end_turn", failed: false });
    expect(m.openTurns.size).toBe(0);
    expect(m.indexOfSequence(4)).toBe(2);
    expect(m.indexOfSequence(9)).toBe(5);
  });

  it("tracks queued turns: a prompt waits until its turn starts or ends; an agent's message is no trigger", () => {
    seq = 0;
    const m = new TimelineModel();
    m.append([
      event(EventType.UserMessage, { content: "first" }, "user"),
      event(EventType.TurnStarted, { turn_id: "turn_1", trigger_sequence: 1 }, "system"),
      event(EventType.UserMessage, { content: "second" }, "user"),
      event(EventType.UserMessage, { content: "from the agent" }, "agent"),
      event(EventType.UserMessage, { content: "third" }, "external"),
    ]);
    expect([...m.openTurns]).toEqual(["turn_1"]);
    expect([...m.queuedTurns]).toEqual([
      ["turn_3", { sequence: 3, text: "second" }],
      ["turn_5", { sequence: 5, text: "third" }],
    ]);
    // A queued turn cancelled ends without starting; the running one ends; the next starts.
    m.append([
      event(EventType.TurnCompleted, { turn_id: "turn_3", stop_reason: "cancelled" }, "system"),
      event(EventType.TurnCompleted, { turn_id: "turn_1", stop_reason: "end_turn" }, "system"),
      event(EventType.TurnStarted, { turn_id: "turn_5", trigger_sequence: 5 }, "system"),
    ]);
    expect([...m.openTurns]).toEqual(["turn_5"]);
    expect(m.queuedTurns.size).toBe(0);
  });

  it("a started trigger clears the prompts before it (answered before this view began)", () => {
    seq = 0;
    const m = new TimelineModel();
    m.append([
      event(EventType.UserMessage, { content: "old" }, "user"),
      event(EventType.UserMessage, { content: "new" }, "user"),
      event(EventType.TurnStarted, { turn_id: "turn_2", trigger_sequence: 2 }, "system"),
    ]);
    expect(m.queuedTurns.size).toBe(0);
  });

  it("every event lands in exactly one item, in order, however the stream is split into batches", () => {
    const types = [
      EventType.TurnMessageChunk,
      EventType.TurnThoughtChunk,
      EventType.UserMessage,
      "custom.thing",
    ];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...types), { maxLength: 60 }),
        fc.array(fc.nat(10), { maxLength: 10 }),
        (kinds, cuts) => {
          seq = 0;
          const events = kinds.map((t) => event(t, { turn_id: "turn_1", text: "x", content: "y" }));
          const m = new TimelineModel();
          let at = 0;
          for (const cut of cuts) {
            m.append(events.slice(at, at + cut));
            at += cut;
          }
          m.append(events.slice(at));
          m.append(events); // replays after a reconnect are ignored
          const folded = m.items.flatMap((i) => i.events.map((e) => e.sequence));
          expect(folded).toEqual(events.map((e) => e.sequence));
        },
      ),
    );
  });
});

describe("summarize runtime.hook", () => {
  const hook = { runtime_id: "rt_1", hook: "before_suspend", command: "./save.sh", deadline_ms: 30_000 };
  it("says how a lifecycle hook ended: exit code, deadline kill, signal, or why it could not run", () => {
    const line = (data: Record<string, unknown>) => summarize(EventType.RuntimeHook, data);
    expect(line({ ...hook, exit_code: 0, signal: null, timed_out: false, duration_ms: 120 })).toBe(
      "before_suspend: ./save.sh exited 0 in 120 ms",
    );
    expect(line({ ...hook, exit_code: null, signal: "SIGTERM", timed_out: true, duration_ms: 30_002 })).toBe(
      "before_suspend: ./save.sh killed at its 30000 ms deadline (SIGTERM)",
    );
    expect(
      line({ ...hook, hook: "after_resume", exit_code: null, signal: "SIGKILL", timed_out: false }),
    ).toMatch(/^after_resume: \.\/save\.sh ended by SIGKILL/);
    expect(
      line({ ...hook, exit_code: null, signal: null, timed_out: false, error: "spawn ./save.sh ENOENT" }),
    ).toBe("before_suspend: ./save.sh could not run — spawn ./save.sh ENOENT");
  });
});
