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
 * must be cheap and must not throw.
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
