/** The invariants of issues 5, 12, 13 and 14, by number, as the failure output names them. */
export const INVARIANTS = {
  1: "sequences are exactly 1..head, no gap, no reuse across crash/restart",
  2: "every acknowledged publish survives every crash with the same sequence and payload",
  3: "a publish whose outcome was unknown appears at most once, also after a retry with its key",
  4: "every subscriber sees an exact contiguous slice of the log, byte-identical",
  5: "reconnecting with the last seen sequence yields no duplicate and no gap",
  6: "turns run one at a time per mount, in trigger order, each trigger exactly once",
  7: "suspend/resume and restarts keep the agent session",
  8: "liveness: once faults stop, every subscriber reaches the head and every queued turn ends",
  9: "coverage: every interesting event happens within the budget",
  10: "determinism: the same seed produces the same trace",
  11: "optimistic concurrency: a publish with expected_head succeeds only at expected_head + 1",
  12: "the harness and the production code raise no unexpected errors",
  13: "every acknowledged SQL write survives every crash, whole; SQL reads show only durable, whole writes",
  14: "axon_events shows exactly the durable log from 1, with every event acknowledged before the statement",
  15: "a trimmed sequence is never served once its trim line is durable: reads below it get OUT_OF_RANGE",
  16: "the head and the trim line (first_sequence) never move backwards; no sequence is reused across trims and crashes",
  17: "everything at or above the first available sequence is still served exactly as acknowledged",
  18: "hand-off: each turn runs on the one agent configuration in force at its turn.started; nothing of the old agent follows runtime.updated, announced once per update (also across crashes); a new agent that cannot resume is primed",
} as const;

export type InvariantNumber = keyof typeof INVARIANTS;

export class InvariantViolation extends Error {
  override name = "InvariantViolation";
  constructor(
    readonly invariant: InvariantNumber,
    detail: string,
  ) {
    super(`invariant ${invariant} (${INVARIANTS[invariant]}) violated: ${detail}`);
  }
}
