/**
 * TEST-ONLY mutant switches for the simulation's mutant suite (issue 5).
 *
 * A mutant is a deliberately broken variant of one production behaviour. Production code asks
 * `isMutantActive(name)` at the one place the variant differs — a single line per hook — and the
 * answer is `false` unless a test switched the mutant on with `setActiveMutants`. Nothing in the
 * product ever calls `setActiveMutants`; with no mutant active a hook costs one `undefined` check.
 * The simulation proves it can fail by running with each mutant active and asserting that an
 * invariant catches it.
 */
export const MUTANTS = {
  "ack-before-durable": "group commit acknowledges a batch before the write is durable",
  "handoff-off-by-one": "the catch-up → live hand-off skips one sequence past the cursor",
  "read-uncommitted": "reads are not bounded by the durable head (they see writes not yet synced)",
  "sequence-reuse-after-restart": "the head recovered on open is one below the newest durable event",
  "idempotency-not-durable": "the idempotency record is not written in the batch of its events",
  "expected-head-ignored": "appends ignore expected_head",
  "broker-forgets-cursor": "a restarted broker resumes at the head, forgetting queued and open turns",
  "turn-while-running": "the broker starts the next turn while one is still running",
  "wake-without-session": "a new broker (wake, restart) starts the agent without restoring its session",
  "runtime-wake-missed":
    "a suspended runtime ignores triggers (and open turns) already waiting when it starts watching",
  "runtime-not-restarted-on-boot":
    "after a server restart a running runtime does not start its brokers again",
  "sql-batch-not-atomic": "an SQL batch runs its statements each in its own transaction",
  "reads-ignore-trim-line": "reads and GetAxon ignore the trim line: every axon looks retained from 1",
  "trim-before-durable": "retention moves the trim line before the write that records it is durable",
  "update-applied-mid-turn":
    "UpdateRuntime writes runtime.updated at once, while the old agent may still be in (or start) a turn",
} as const;

export type MutantName = keyof typeof MUTANTS;

let active: ReadonlySet<string> | undefined;

/** True only while a test has switched `name` on. Always false in production. */
export function isMutantActive(name: MutantName): boolean {
  return active?.has(name) === true;
}

/** Test-only: makes exactly `names` active ([] switches every mutant off). */
export function setActiveMutants(names: readonly MutantName[]): void {
  active = names.length > 0 ? new Set(names) : undefined;
}
