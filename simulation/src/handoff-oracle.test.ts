import { describe, expect, it } from "vitest";
import { agentChangedSinceSession, handoffProblems, stamp } from "./handoff-oracle.js";
import type { DiskEvent } from "./log-oracle.js";

const SH = { binary: "sh", args: [], model: null };
const CAT = { binary: "cat", args: [], model: null };

/** A log from [origin, source, type, payload] rows, sequences from 1. */
const log = (...rows: Array<[number, string, string, Record<string, unknown>]>): DiskEvent[] =>
  rows.map(([origin, source, eventType, payload], i) => ({
    sequence: i + 1,
    keySequence: i + 1,
    origin,
    source,
    eventType,
    payload: JSON.stringify(payload),
  }));

const updated = (old: string, next: string) =>
  [
    4,
    "runtime",
    "runtime.updated",
    { changes: [{ field: "mount.agent_binary", old, new: next }], resume_session: false },
  ] as [number, string, string, Record<string, unknown>];
const session = (c: typeof SH) =>
  [4, "broker", "session.started", { agent_session_id: "s", note: stamp(c) }] as [
    number,
    string,
    string,
    Record<string, unknown>,
  ];
const started = (n: number) =>
  [4, "broker", "turn.started", { turn_id: `turn_${n}`, trigger_sequence: n }] as [
    number,
    string,
    string,
    Record<string, unknown>,
  ];
const chunk = (n: number, c: typeof SH) =>
  [2, "broker", "turn.message_chunk", { turn_id: `turn_${n}`, text: `chunk ${stamp(c)}` }] as [
    number,
    string,
    string,
    Record<string, unknown>,
  ];
const completed = (n: number) =>
  [4, "broker", "turn.completed", { turn_id: `turn_${n}`, stop_reason: "end_turn" }] as [
    number,
    string,
    string,
    Record<string, unknown>,
  ];
const primed = (n: number) =>
  [4, "broker", "session.primed", { turn_id: `turn_${n}` }] as [
    number,
    string,
    string,
    Record<string, unknown>,
  ];

describe("handoffProblems (invariant 18)", () => {
  it("accepts a hand-off at a turn boundary with the new agent primed", () => {
    const ok = log(
      session(SH),
      started(2),
      chunk(2, SH),
      completed(2),
      updated("sh", "cat"),
      session(CAT),
      started(7),
      primed(7),
      chunk(7, CAT),
      completed(7),
    );
    expect(handoffProblems(ok, SH, "broker")).toEqual([]);
  });

  it("flags the old agent writing after runtime.updated", () => {
    const problems = handoffProblems(
      log(session(SH), started(2), updated("sh", "cat"), chunk(2, SH)),
      SH,
      "broker",
    );
    expect(problems).toEqual([
      expect.stringMatching(/seq 4: the agent \[sh\|\|\] wrote turn.message_chunk of turn_2/),
    ]);
  });

  it("flags the old agent's session.started after runtime.updated", () => {
    expect(handoffProblems(log(session(SH), updated("sh", "cat"), session(SH)), SH, "broker")).toEqual([
      expect.stringMatching(/seq 3: session.started of the agent \[sh\|\|\]/),
    ]);
  });

  it("flags an update announced twice, and one never announced", () => {
    expect(handoffProblems(log(updated("sh", "cat"), updated("sh", "cat")), SH, "broker")).toEqual([
      expect.stringMatching(
        /seq 2: runtime.updated changes mount.agent_binary from "sh", but "cat" is in force/,
      ),
    ]);
    expect(handoffProblems(log(session(CAT)), SH, "broker")).toEqual([
      expect.stringMatching(/seq 1: session.started of the agent \[cat\|\|\] where the log puts \[sh\|\|\]/),
    ]);
  });

  it("flags a turn after the hand-off answered without session.primed", () => {
    const problems = handoffProblems(
      log(updated("sh", "cat"), session(CAT), started(3), completed(3)),
      SH,
      "broker",
    );
    expect(problems).toEqual([expect.stringMatching(/seq 4: turn_3 started after the hand-off at seq 1/)]);
  });
});

it("agentChangedSinceSession: only an update the agent cannot resume from, after the newest session", () => {
  expect(agentChangedSinceSession(log(session(SH), updated("sh", "cat")), "broker")).toBe(true);
  expect(agentChangedSinceSession(log(updated("sh", "cat"), session(CAT)), "broker")).toBe(false);
  expect(agentChangedSinceSession(log(session(SH)), "broker")).toBe(false);
});
