/**
 * The port through which the broker reaches an axon. In-process it is the LogStore
 * (`logStoreAxonLink`); remotely it would be the client SDK. The broker needs only these three
 * operations, so it runs the same either way.
 */

/** Mirrors `openaxon.v1.Origin`: EXTERNAL=1, AGENT=2, USER=3, SYSTEM=4. */
export const Origin = {
  External: 1,
  Agent: 2,
  User: 3,
  System: 4,
} as const;
export type Origin = (typeof Origin)[keyof typeof Origin];

export interface AxonLinkEventInput {
  readonly origin: Origin;
  readonly source: string;
  readonly eventType: string;
  /** JSON text. */
  readonly payload: string;
}

export interface AxonLinkEvent {
  readonly sequence: number;
  /** A number, not only `Origin`: a link passes through whatever the axon holds. */
  readonly origin: number;
  readonly source: string;
  readonly eventType: string;
  readonly payload: string;
  readonly timestampMs: number;
}

export interface AxonLinkPublishOptions {
  /**
   * Repeating a key on the same axon appends nothing and reports `duplicate`. The broker keys its
   * turn lifecycle events with it, so a trigger starts and ends at most once whatever races.
   */
  readonly idempotencyKey?: string;
}

export interface AxonLinkReadOptions {
  /** Ascending: sequences > afterSequence. Descending: sequences < afterSequence (0 = from the head). */
  readonly afterSequence: number;
  readonly limit: number;
  readonly descending?: boolean;
}

export interface AxonLink {
  /** Appends one event; resolves once it is durable. */
  publish(
    axonId: string,
    event: AxonLinkEventInput,
    options?: AxonLinkPublishOptions,
  ): Promise<{ readonly sequence: number; readonly duplicate?: boolean }>;
  read(axonId: string, options: AxonLinkReadOptions): Promise<readonly AxonLinkEvent[]>;
  /**
   * Every event with sequence > afterSequence, in order, with no gap and no repeat: first the stored
   * ones, then live ones as they become durable. Ends (returns) when `signal` aborts.
   */
  follow(axonId: string, afterSequence: number, signal: AbortSignal): AsyncIterable<AxonLinkEvent>;
}
