import type { StoredEvent } from "./log-store.js";

/** The events one commit appends to an axon; they become chunk ops when the group commit is written. */
export interface AppendedEvents {
  readonly axonId: string;
  readonly events: readonly StoredEvent[];
}

/**
 * The appends of one group commit with each axon's consecutive appends joined into one run, in
 * first-seen order. A run becomes one chunk (or more, when large) instead of a chunk per append:
 * 32 callers publishing one event each to an axon cost one LevelDB entry per group commit, not 32,
 * which shortens the fsync'd write and every later replay. An append that does not continue its
 * axon's run (a gap in sequences) starts a run of its own, so chunks stay contiguous.
 */
export function joinAppends(appends: readonly AppendedEvents[]): AppendedEvents[] {
  const runs: { readonly axonId: string; readonly events: StoredEvent[] }[] = [];
  const latest = new Map<string, { readonly axonId: string; readonly events: StoredEvent[] }>();
  for (const append of appends) {
    if (append.events.length === 0) continue;
    const run = latest.get(append.axonId);
    const last = run?.events[run.events.length - 1];
    if (run && last && append.events[0]!.sequence === last.sequence + 1) {
      for (const event of append.events) run.events.push(event);
      continue;
    }
    const fresh = { axonId: append.axonId, events: [...append.events] };
    runs.push(fresh);
    latest.set(append.axonId, fresh);
  }
  return runs;
}
