import type { AppendResult } from "./log-store.js";

/** One durable write of the group commit: what it merged. */
export interface DurableWrite {
  /** Commits merged into this one write (appends, and metadata, record, trim and purge writes). */
  readonly commits: number;
  /** Events appended by it (0 for writes that append nothing). */
  readonly events: number;
  /** Key and value bytes handed to the backend. */
  readonly bytes: number;
}

/**
 * Instrumentation of the store's durable writes, for metrics and logs. The store reads no clock for
 * it: the observer times the write itself, from `writeStarted` to the call of the function it
 * returns (with the error when the write failed). Called from the group commit's write loop, so it
 * must be cheap; the store calls it through `quietObserver`, so one that throws changes nothing.
 */
export interface StoreObserver {
  writeStarted(write: DurableWrite): (error?: unknown) => void;
  /**
   * An append is durable (or was a duplicate of one). Called in the appending caller's async
   * context, so a line logged here belongs to the call that appended.
   */
  appended?(axonId: string, result: AppendResult, events: number): void;
  /** A watcher of `axonId` threw on newly durable events; the others and the acks went ahead. */
  watcherFailed?(axonId: string, error: unknown): void;
}

const quietened = new WeakSet<StoreObserver>();

/**
 * `observer` with every call guarded. It only measures and reports: its failure must not change
 * what a write or an append did, nor leave a caller unanswered. Wrapping twice returns the same.
 */
export function quietObserver(observer: StoreObserver): StoreObserver {
  if (quietened.has(observer)) return observer;
  const { appended, watcherFailed } = observer;
  const quiet: StoreObserver = {
    writeStarted(write) {
      const ended = quietly(() => observer.writeStarted(write));
      return (error) => quietly(() => ended?.(error));
    },
    ...(appended && { appended: (...args) => quietly(() => appended.apply(observer, args)) }),
    ...(watcherFailed && { watcherFailed: (...args) => quietly(() => watcherFailed.apply(observer, args)) }),
  };
  quietened.add(quiet);
  return quiet;
}

function quietly<T>(call: () => T): T | undefined {
  try {
    return call();
  } catch {
    return undefined;
  }
}
