/**
 * The port through which the broker reaches an axon. In-process it is the LogStore
 * (`logStoreAxonLink`); remotely it would be the client SDK. The broker needs only these three
 * operations, so it runs the same either way.
 */

import type { Origin } from "@openaxon/protocol/vocabulary";

/** The vocabulary's origins, re-exported because the link's events carry them. */
export { Origin } from "@openaxon/protocol/vocabulary";

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
