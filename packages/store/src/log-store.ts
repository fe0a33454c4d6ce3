/**
 * The storage seam. The server, the broker and the simulation talk to axons only through this
 * interface; `ClassicLevelLogStore` is the embedded implementation and the simulation plugs in a
 * store that models power cuts. It knows nothing of gRPC: sequences are plain numbers (safe up to
 * 2^53) and origins are the protocol's enum values. Records (runtimes, policies, secrets) are
 * another seam: `RecordStore` (record-store.ts).
 */

import type { Origin } from "@openaxon/protocol/vocabulary";

/** The vocabulary's origins (the protocol's enum numbers, without loading protobuf code). */
export { Origin } from "@openaxon/protocol/vocabulary";

export interface AxonRecord {
  readonly id: string;
  readonly name: string;
  readonly createdAtMs: number;
  readonly labels: Readonly<Record<string, string>>;
  /** Sequence of the newest durable event; 0 for an empty axon. */
  readonly headSequence: number;
}

export interface EventInput {
  readonly origin: Origin;
  readonly source: string;
  readonly eventType: string;
  /** JSON text. Validation is the caller's job; the store stores what it is given. */
  readonly payload: string;
}

export interface StoredEvent extends EventInput {
  readonly axonId: string;
  readonly sequence: number;
  readonly timestampMs: number;
}

export interface AppendOptions {
  /** Append only if the axon's head is exactly this sequence (optimistic concurrency). */
  readonly expectedHead?: number;
  /** Repeating a key on the same axon returns the original result with `duplicate: true`. */
  readonly idempotencyKey?: string;
}

export interface AppendResult {
  readonly firstSequence: number;
  readonly lastSequence: number;
  readonly timestampMs: number;
  readonly duplicate: boolean;
}

export interface ReadOptions {
  /** Ascending: sequences > afterSequence. Descending: sequences < afterSequence (0 = from the head). */
  readonly afterSequence: number;
  readonly limit: number;
  readonly descending?: boolean;
  /**
   * Stop once the events read add up to at least this many bytes (measured by `eventSize`); at
   * least one event is returned. Bounds memory when payloads are large.
   */
  readonly maxBytes?: number;
}

/** The size of an event for read budgets: its text fields in UTF-16 code units, plus a fixed overhead. */
export function eventSize(event: EventInput): number {
  return event.payload.length + event.source.length + event.eventType.length + 32;
}

export interface ListAxonsOptions {
  readonly namePrefix?: string;
  /** Return axons whose id sorts after this one (ids sort by creation time). */
  readonly afterId?: string;
  readonly limit: number;
}

/** Called after a commit is durable, with that axon's newly committed events in sequence order. */
export type TailListener = (events: readonly StoredEvent[]) => void;

/** The store's state for health checks: `failed` while writes fail (e.g. the disk is full). */
export type StoreHealth =
  | { readonly status: "ok" }
  | { readonly status: "failed" | "closed"; readonly reason: string };

export interface LogStore {
  createAxon(input: { name: string; labels: Record<string, string> }): Promise<AxonRecord>;
  /** Undefined for unknown and deleted axons. */
  getAxon(id: string): Promise<AxonRecord | undefined>;
  listAxons(options: ListAxonsOptions): Promise<AxonRecord[]>;
  /** Marks the axon deleted; its events are no longer served. False if it did not exist. */
  deleteAxon(id: string): Promise<boolean>;

  /**
   * Appends events atomically with consecutive sequences. Resolves only once they are durable.
   * Throws `AxonNotFoundError`, `ExpectedHeadMismatchError`, or `StoreFailedError` after a write error.
   */
  append(axonId: string, events: readonly EventInput[], options?: AppendOptions): Promise<AppendResult>;

  /** Reads durable events. Throws `AxonNotFoundError`. */
  read(axonId: string, options: ReadOptions): Promise<StoredEvent[]>;

  /**
   * Registers a listener for events committed from now on. Every event committed after this call
   * returns is delivered to the listener, in order, after it is durable and readable via `read`.
   * Returns the unsubscribe function.
   */
  watch(axonId: string, listener: TailListener): () => void;

  /** Whether writes work; may try to recover from an earlier failed write. */
  health?(): Promise<StoreHealth>;

  /** Waits for in-flight commits, then closes. Later calls throw `StoreClosedError`. */
  close(): Promise<void>;
}
