/**
 * The SDK's plain data types. Sequences and timestamps are JavaScript numbers, not bigints: the
 * store keeps them as numbers (exact up to 2^53 − 1, about 9 × 10^15 events per axon), so a
 * number never loses precision here and is far friendlier to compare, format and serialise. The
 * SDK converts the wire's uint64/int64 at the boundary and throws a RangeError on a value beyond
 * Number.MAX_SAFE_INTEGER rather than round it.
 */

/** Who wrote an event. Clients publish "user", "external" or "agent"; "system" is the server's own. */
export type OriginName = "unspecified" | "external" | "agent" | "user" | "system";

/** Origins a client may publish with. */
export type PublishOrigin = "user" | "external" | "agent";

export interface Axon {
  /** Server-assigned, looks like `axn_…`. */
  readonly id: string;
  /** Optional human name; not unique ("" when unnamed). */
  readonly name: string;
  readonly createdAtMs: number;
  /** Sequence of the newest event; 0 for an empty axon. */
  readonly headSequence: number;
  /**
   * The oldest sequence still readable: events below it were trimmed by retention. 1 for an axon
   * never trimmed, headSequence + 1 when every event was trimmed.
   */
  readonly firstSequence: number;
  readonly labels: Readonly<Record<string, string>>;
  /** Absent when the axon keeps everything (up to the server's per-axon size cap). */
  readonly retention?: Retention;
}

/**
 * How much of an axon the server keeps; each limit is off when absent (or 0). The oldest events go
 * first, in the background (within the server's retention interval, 60 s by default).
 */
export interface Retention {
  /** Trim events older than this many milliseconds. */
  readonly maxAgeMs?: number;
  /** Keep at most this many of the newest events. */
  readonly maxEvents?: number;
  /** Keep at most this many stored bytes (payload, source and type in UTF-8 + 13 per event). */
  readonly maxBytes?: number;
}

/** One immutable event of an axon. JSON.stringify(event) gives its fields (payload as JSON text). */
export interface AxonEvent {
  /** 1-based, gap-free, strictly increasing within an axon. */
  readonly sequence: number;
  readonly axonId: string;
  /** Server time (ms since the epoch) when the event became durable. */
  readonly timestampMs: number;
  readonly origin: OriginName;
  readonly source: string;
  readonly eventType: string;
  /** The payload exactly as stored: JSON text. */
  readonly payload: string;
  /** The payload parsed (a fresh value on every call). */
  data<T = unknown>(): T;
}

/**
 * A payload to publish: a string is taken as JSON text verbatim (so `'"hi"'` is the JSON string
 * hi); anything else is serialised with JSON.stringify.
 */
export type PayloadInput = string | number | boolean | null | object;

export interface EventInput {
  readonly eventType: string;
  readonly payload: PayloadInput;
  /** Who is publishing, e.g. "cli", "github-webhook". Defaults to the client's `source`. */
  readonly source?: string;
  /** Defaults to "user". */
  readonly origin?: PublishOrigin;
}

export interface PublishInput extends EventInput {
  /** Repeating a key on the same axon returns the original sequence with `duplicate: true`. */
  readonly idempotencyKey?: string;
  /** Append only if the axon's head is exactly this sequence (FAILED_PRECONDITION otherwise). */
  readonly expectedHead?: number;
}

export interface PublishResult {
  readonly sequence: number;
  readonly timestampMs: number;
  /** True when the idempotency key matched an earlier publish; `sequence` is that publish's. */
  readonly duplicate: boolean;
}

export interface PublishBatchOptions {
  readonly expectedHead?: number;
  readonly idempotencyKey?: string;
}

export interface PublishBatchResult {
  readonly firstSequence: number;
  readonly lastSequence: number;
  readonly timestampMs: number;
  readonly duplicate: boolean;
}

export interface ListEventsOptions {
  /** Ascending: events after this sequence (default 0). Descending: events before it (0 = from the head). */
  readonly afterSequence?: number;
  /** Default 100, max 1000 (server limits). */
  readonly limit?: number;
  readonly descending?: boolean;
}

export interface EventPage {
  readonly events: AxonEvent[];
  readonly hasMore: boolean;
  readonly headSequence: number;
}

export interface AxonPage {
  readonly axons: Axon[];
  /** Empty on the last page. */
  readonly nextPageToken: string;
}

/** Per-call options for unary calls. */
export interface CallOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}
