/**
 * The storage seam. The server, the broker and the simulation talk to axons only through this
 * interface; `ClassicLevelLogStore` is the embedded implementation and the simulation plugs in a
 * store that models power cuts. It knows nothing of gRPC: sequences are plain numbers (safe up to
 * 2^53) and origins are the protocol's enum values. Records (runtimes, policies, secrets) are
 * another seam: `RecordStore` (record-store.ts).
 */

import type { Origin } from "@openaxon/protocol/vocabulary";
import type { ChunkPage } from "./chunk-page.js";

/** The vocabulary's origins (the protocol's enum numbers, without loading protobuf code). */
export { Origin } from "@openaxon/protocol/vocabulary";

export interface AxonRecord {
  readonly id: string;
  readonly name: string;
  readonly createdAtMs: number;
  readonly labels: Readonly<Record<string, string>>;
  /** Sequence of the newest durable event; 0 for an empty axon. */
  readonly headSequence: number;
  /**
   * The oldest sequence a read can return; lower ones were trimmed by retention, for good.
   * 1 <= firstSequence <= headSequence + 1 (1 when never trimmed, headSequence + 1 when all were).
   */
  readonly firstSequence: number;
  /** Absent when the axon keeps everything (up to the store's size cap). */
  readonly retention?: Retention;
}

/**
 * How much of an axon to keep; a limit that is absent (or 0) is off. Any limit alone trims: the
 * oldest events go first, so what remains is always a suffix of the log.
 */
export interface Retention {
  /** Trim events whose timestamp is older than now minus this. */
  readonly maxAgeMs?: number;
  /** Keep at most this many of the newest events. */
  readonly maxEvents?: number;
  /** Keep at most this many bytes (storedEventBytes) of the newest events. */
  readonly maxBytes?: number;
}

/** What UpdateAxon may change; a field left undefined stays as it is. `retention: null` removes it. */
export interface AxonUpdate {
  readonly name?: string;
  readonly labels?: Record<string, string>;
  /** Replaces the whole retention. */
  readonly retention?: Retention | null;
  /** Changes single limits of the current retention (0 turns one off); applied after `retention`. */
  readonly retentionLimits?: Retention;
}

/** What a retention pass did, for logs and metrics. */
export interface RetentionPassReport {
  /** Axons whose first sequence moved. */
  readonly axonsTrimmed: number;
  readonly eventsTrimmed: number;
  /** Deleted axons whose data was removed from disk in this pass. */
  readonly axonsPurged: number;
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

/** What eventSize adds to an event's text for its other fields and bookkeeping. */
export const EVENT_SIZE_OVERHEAD = 32;

/** The size of an event for read budgets: its text fields in UTF-16 code units, plus a fixed overhead. */
export function eventSize(event: EventInput): number {
  return event.payload.length + event.source.length + event.eventType.length + EVENT_SIZE_OVERHEAD;
}

/**
 * The bytes an event takes in the store, for retention's max_bytes and the per-axon size cap: its
 * payload, source and event type in UTF-8 plus 13 bytes of framing (origin and three lengths).
 */
export function storedEventBytes(event: EventInput): number {
  return (
    Buffer.byteLength(event.payload) +
    Buffer.byteLength(event.source) +
    Buffer.byteLength(event.eventType) +
    13
  );
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
  /** Throws `RetentionUnsupportedError` if the store cannot enforce the retention asked for. */
  createAxon(input: {
    name: string;
    labels: Record<string, string>;
    retention?: Retention;
  }): Promise<AxonRecord>;
  /** Undefined for unknown and deleted axons. */
  getAxon(id: string): Promise<AxonRecord | undefined>;
  listAxons(options: ListAxonsOptions): Promise<AxonRecord[]>;
  /** Undefined for unknown and deleted axons. Throws `RetentionUnsupportedError` like createAxon. */
  updateAxon(id: string, update: AxonUpdate): Promise<AxonRecord | undefined>;
  /**
   * Marks the axon deleted; its events are no longer served, and its data leaves the disk in the
   * background (a retention pass finishes what a crash interrupted). False if it did not exist.
   */
  deleteAxon(id: string): Promise<boolean>;

  /**
   * One retention pass: trims every axon to its retention (as of the store's clock) and removes
   * deleted axons' data, freeing disk. Never lowers a head; trimmed sequences are never reused.
   * The caller schedules it (core code starts no timers).
   */
  applyRetention(): Promise<RetentionPassReport>;

  /**
   * Appends events atomically with consecutive sequences. Resolves only once they are durable.
   * Throws `AxonNotFoundError`, `ExpectedHeadMismatchError`, `AxonFullError` (the per-axon size cap;
   * nothing written), or `StoreFailedError` after a write error.
   */
  append(axonId: string, events: readonly EventInput[], options?: AppendOptions): Promise<AppendResult>;

  /**
   * Reads durable events. Throws `AxonNotFoundError`, or `EventsTrimmedError` when the read needs
   * events below the axon's first sequence (`afterSequence: 0` ascending starts at the first
   * sequence; descending reads stop there). Never returns a trimmed event.
   */
  read(axonId: string, options: ReadOptions): Promise<StoredEvent[]>;

  /**
   * An ascending `read` whose events stay in their stored encoding (a store that keeps chunks has
   * it; others leave it out and callers use `read`). Same events, errors and bounds as `read`,
   * except that `maxBytes` counts text in UTF-8 bytes (ChunkCursor#size), so a page may end sooner.
   */
  readChunkPage?(axonId: string, options: Omit<ReadOptions, "descending">): Promise<ChunkPage>;

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
