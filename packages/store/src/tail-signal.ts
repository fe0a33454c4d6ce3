import { type AppendedEvents, joinAppends, type RunLimits } from "./join-appends.js";
import type { StoredEvent, TailListener } from "./log-store.js";

/**
 * Joined signals stay within one chunk's event count and one live frame (the server's 64 KiB), so
 * an idle subscriber still takes each one straight from the signal.
 */
export const TAIL_SIGNAL_LIMITS: RunLimits = { maxEvents: 256, maxBytes: 64 * 1024 };

/**
 * The tail signal: tells an axon's watchers about newly durable events. Appends made durable by
 * one group commit are collected while the commit's callbacks run and then signalled together, an
 * axon's consecutive appends joined into one signal (TAIL_SIGNAL_LIMITS): under load many small
 * publishes land in one commit, and each signal costs every live subscriber a write.
 */
export class TailSignal {
  private readonly watchers = new Map<string, Set<TailListener>>();
  private pending: AppendedEvents[] = [];

  /**
   * `onListenerError` hears of a listener that threw. The flush runs inside the group commit,
   * after the write is durable and before its callers are acknowledged: one watcher's failure must
   * cost neither the other watchers their events nor the publishers their acks.
   */
  constructor(private readonly onListenerError: (axonId: string, error: unknown) => void = () => {}) {}

  /** Registers `listener` for `axonId`'s signals; returns the unregister function. */
  watch(axonId: string, listener: TailListener): () => void {
    let set = this.watchers.get(axonId);
    if (!set) {
      set = new Set();
      this.watchers.set(axonId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.watchers.get(axonId) === set) this.watchers.delete(axonId);
    };
  }

  /** Queues durable events for the next `flush` (nothing is kept for an axon nobody watches). */
  add(axonId: string, events: readonly StoredEvent[]): void {
    if (this.watchers.has(axonId) && events.length > 0) this.pending.push({ axonId, events });
  }

  /** Signals everything queued, joined, each axon's events in order. */
  flush(): void {
    if (this.pending.length === 0) return;
    const pending = this.pending;
    this.pending = [];
    const runs = pending.length === 1 ? pending : joinAppends(pending, TAIL_SIGNAL_LIMITS);
    for (const { axonId, events } of runs) {
      const set = this.watchers.get(axonId);
      if (!set) continue;
      for (const listener of set) {
        try {
          listener(events);
        } catch (error) {
          this.onListenerError(axonId, error);
        }
      }
    }
  }
}
