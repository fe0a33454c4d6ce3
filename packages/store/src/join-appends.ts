import { eventSize, type StoredEvent } from "./log-store.js";

/** The events one commit appends to an axon; they become chunk ops when the group commit is written. */
export interface AppendedEvents {
  readonly axonId: string;
  readonly events: readonly StoredEvent[];
}

/** Bounds on a joined run: an append joins its axon's run only if the run stays within both. */
export interface RunLimits {
  readonly maxEvents: number;
  /** Measured with eventSize. */
  readonly maxBytes: number;
}

interface Run {
  readonly axonId: string;
  events: readonly StoredEvent[];
  /** Whether `events` is this run's own array (appends joined) rather than the first append's. */
  owned: boolean;
  bytes: number;
}

/**
 * The appends of one group commit with each axon's consecutive appends joined into one run, in
 * first-seen order. A run becomes one chunk (or more, when large) instead of a chunk per append:
 * 32 callers publishing one event each to an axon cost one LevelDB entry per group commit, not 32,
 * which shortens the fsync'd write and every later replay. An append that does not continue its
 * axon's run (a gap in sequences), or would take it past `limits`, starts a run of its own, so runs
 * stay contiguous. A run of one append is that append's own array (no copy).
 */
export function joinAppends(appends: readonly AppendedEvents[], limits?: RunLimits): AppendedEvents[] {
  const runs: Run[] = [];
  const latest = new Map<string, Run>();
  for (const append of appends) {
    if (append.events.length === 0) continue;
    const bytes = limits ? sizeOf(append.events) : 0;
    const run = latest.get(append.axonId);
    if (run && continues(run, append, bytes, limits)) {
      if (!run.owned) {
        run.events = [...run.events];
        run.owned = true;
      }
      for (const event of append.events) (run.events as StoredEvent[]).push(event);
      run.bytes += bytes;
      continue;
    }
    const fresh: Run = { axonId: append.axonId, events: append.events, owned: false, bytes };
    runs.push(fresh);
    latest.set(append.axonId, fresh);
  }
  return runs.map(({ axonId, events }) => ({ axonId, events }));
}

function continues(run: Run, append: AppendedEvents, bytes: number, limits: RunLimits | undefined): boolean {
  const last = run.events[run.events.length - 1]!;
  if (append.events[0]!.sequence !== last.sequence + 1) return false;
  if (!limits) return true;
  return run.events.length + append.events.length <= limits.maxEvents && run.bytes + bytes <= limits.maxBytes;
}

function sizeOf(events: readonly StoredEvent[]): number {
  let bytes = 0;
  for (const event of events) bytes += eventSize(event);
  return bytes;
}
