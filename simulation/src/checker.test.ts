import { describe, expect, it } from "vitest";
import { idleSuspendProblems, turnProblems } from "./checker.js";
import type { DiskEvent } from "./log-oracle.js";

const USER = 3;
const AGENT = 2;
const SYSTEM = 4;

function log(...events: Array<[number, string, string, object]>): DiskEvent[] {
  return events.map(([origin, source, eventType, payload], i) => ({
    sequence: i + 1,
    keySequence: i + 1,
    origin,
    source,
    eventType,
    payload: JSON.stringify(payload),
  }));
}

const trigger = (): [number, string, string, object] => [USER, "sim", "user.message", { content: "x" }];
const started = (t: number): [number, string, string, object] => [
  SYSTEM,
  "broker",
  "turn.started",
  { turn_id: `turn_${t}`, trigger_sequence: t },
];
const completed = (t: number, stop = "end_turn"): [number, string, string, object] => [
  SYSTEM,
  "broker",
  "turn.completed",
  { turn_id: `turn_${t}`, stop_reason: stop },
];
const chunk = (t: number): [number, string, string, object] => [
  AGENT,
  "broker",
  "turn.message_chunk",
  { turn_id: `turn_${t}` },
];

describe("turnProblems (invariant 6 on the log)", () => {
  it("accepts turns that run one at a time in trigger order, and a queued trigger cancelled before it started", () => {
    expect(
      turnProblems(
        log(trigger(), trigger(), started(1), chunk(1), completed(2, "cancelled"), completed(1)),
        "broker",
      ),
    ).toEqual([]);
  });

  it("flags a turn started while another runs, out of order, twice, or output outside its turn", () => {
    expect(turnProblems(log(trigger(), trigger(), started(1), started(2)), "broker")).toEqual([
      "seq 4: turn_2 started while turn_1 was running",
    ]);
    expect(turnProblems(log(trigger(), trigger(), started(2), completed(2), started(1)), "broker")).toContain(
      "seq 5: turn_1 started after turn_2",
    );
    expect(turnProblems(log(trigger(), started(1), completed(1), started(1)), "broker")).toContain(
      "seq 4: turn_1 started twice",
    );
    expect(turnProblems(log(trigger(), started(1), completed(1), chunk(1)), "broker")).toEqual([
      "seq 4: turn.message_chunk of turn_1 outside its turn (running: none)",
    ]);
  });

  it("flags a trigger ended twice, or ended without starting unless it was cancelled while queued", () => {
    expect(turnProblems(log(trigger(), started(1), completed(1), completed(1)), "broker")).toEqual([
      "seq 4: turn_1 ended twice",
    ]);
    expect(turnProblems(log(trigger(), completed(1)), "broker")).toEqual([
      "seq 2: turn_1 ended (turn.completed) without starting and without being cancelled",
    ]);
  });
});

describe("idleSuspendProblems", () => {
  const failed = (t: number): [number, string, string, object] => [
    SYSTEM,
    "broker",
    "turn.failed",
    { turn_id: `turn_${t}`, error: "interrupted: broker stopped" },
  ];
  const suspended = (reason: string): [number, string, string, object] => [
    SYSTEM,
    "runtime",
    "runtime.suspended",
    { runtime_id: "rt", reason },
  ];

  it("lets a suspension by request interrupt a running turn, but not one for idleness", () => {
    expect(
      idleSuspendProblems(log(trigger(), started(1), failed(1), suspended("suspended by request"))),
    ).toEqual([]);
    expect(idleSuspendProblems(log(trigger(), started(1), failed(1), suspended("idle for 20s")))).toEqual([
      "seq 4: the runtime suspended for idleness while turn_1 was running",
    ]);
  });
});
