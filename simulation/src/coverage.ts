/**
 * Counters of the interesting things a run made happen (Antithesis-style "sometimes" assertions).
 * A simulation that never crashed with writes in flight proves nothing about crashes, so the suite
 * fails when a counter listed in REQUIRED_COVERAGE stays zero over its budget.
 */
export const COVERAGE_EVENTS = {
  crashWithUnsyncedWrites: "the store crashed with writes in flight",
  inFlightWriteSurvived: "a write in flight at a crash reached the disk anyway",
  unknownOutcome: "a publish ended with its outcome unknown (UNAVAILABLE)",
  duplicateRetry: "a retry with the same idempotency key came back duplicate",
  expectedHeadMismatch: "a publish was refused for a stale expected_head",
  reconnectRacingDelivery: "a disconnect dropped frames on the wire, then the subscriber resumed",
  fellBehind: "a slow subscriber fell behind and went back to store reads",
  agentCrashMidTurn: "an agent process died during a turn",
  agentCrashDuringStart: "an agent process died while it was starting",
  interruptedTurn: "a turn was closed as interrupted by a broker restart or stop",
  cancelRunningTurn: "a running turn was cancelled",
  cancelQueuedTurn: "a queued turn was cancelled before it started",
  permissionRoundTrip: "a permission request was answered by a user and the agent got the answer",
  sessionRestored: "an agent was started with the session it had before",
  wakeFromSuspend: "a trigger woke a suspended runtime",
  idleSuspend: "a runtime suspended itself after its idle timeout",
  sqlCommitInFlightAtCrash: "the power went while an SQL commit waited for its fsync",
  sqlUnknownOutcome: "an SQL write ended with its outcome unknown (UNAVAILABLE)",
  sqlRetryFoundApplied: "a retried SQL write found its rows applied by the attempt whose answer was lost",
  eventsTrimmed: "a retention pass moved an axon's durable trim line",
  crashMidTrim: "the power went while a trim line's write waited for its fsync",
  readTrimmed: "a read below the trim line was answered OUT_OF_RANGE with the first available sequence",
  subscriberTrimmed:
    "a subscriber below the trim line was told so and resumed from the first available event",
  updateMidTurn: "UpdateRuntime came while the agent was in a turn",
  updateWithQueue: "UpdateRuntime came while a trigger waited for its turn",
  updateAcrossWake: "an update made while suspended took effect when the runtime woke",
  handoffPrimed: "a new agent that could not resume was primed with the history (session.primed)",
} as const;

export type CoverageEvent = keyof typeof COVERAGE_EVENTS;

/** The counters the suite insists on (the list plus the faults the other invariants need). */
export const REQUIRED_COVERAGE: readonly CoverageEvent[] = Object.keys(COVERAGE_EVENTS) as CoverageEvent[];

export type CoverageCounts = Record<CoverageEvent, number>;

export function emptyCoverage(): CoverageCounts {
  return Object.fromEntries(Object.keys(COVERAGE_EVENTS).map((k) => [k, 0])) as CoverageCounts;
}

export function addCoverage(into: CoverageCounts, from: CoverageCounts): void {
  for (const key of Object.keys(into) as CoverageEvent[]) into[key] += from[key];
}
