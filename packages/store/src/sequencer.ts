import { isMutantActive, SerialQueue } from "@openaxon/core";
import { ExpectedHeadMismatchError } from "./errors.js";
import type { AppendOptions, AppendResult, EventInput, StoredEvent } from "./log-store.js";

/** What the sequencer needs from the store around it. */
export interface SequencerContext {
  now(): number;
  /** The stored result of an earlier append with this idempotency key, if any. */
  lookupIdempotency(axonId: string, key: string): Promise<AppendResult | undefined>;
  /** Makes the reserved events (and the idempotency record) durable, in reservation order. */
  commit(
    axonId: string,
    events: readonly StoredEvent[],
    idempotencyKey: string | undefined,
    result: AppendResult,
    onDurable: () => void,
  ): Promise<void>;
  /** The tail signal: tells live subscribers about newly durable events, in order. */
  notify(axonId: string, events: readonly StoredEvent[]): void;
}

/**
 * The per-axon sequencer: one in-memory head per axon. Appends reserve consecutive sequences
 * synchronously under the axon's lock, so sequences are gap-free and strictly increasing; the
 * durable write happens outside the lock through group commit. The durable head only moves once
 * the write is on disk, and only then are watchers told.
 */
export class AxonSequencer {
  private readonly lock = new SerialQueue();
  /** Highest reserved sequence (may be ahead of durableHead while commits are in flight). */
  private reservedHead: number;
  private lastTimestampMs = 0;
  /** In-flight appends by idempotency key: a retry racing the original gets the original's result. */
  private readonly inflightKeys = new Map<string, Promise<AppendResult>>();
  /** The newest reservation's durable write (commits become durable in reservation order). */
  private newestCommit: Promise<unknown> = Promise.resolve();

  constructor(
    readonly axonId: string,
    /** Head recovered from durable state. */
    private durable: number,
    private readonly ctx: SequencerContext,
  ) {
    this.reservedHead = durable;
  }

  /** Sequence of the newest durable event. */
  get durableHead(): number {
    return this.durable;
  }

  async append(events: readonly EventInput[], options: AppendOptions = {}): Promise<AppendResult> {
    const { idempotencyKey, expectedHead } = options;
    // The lock covers lookup + reservation only. The durable write is returned boxed: returning the
    // bare promise would make the lock wait for the fsync and serialise this axon's commits.
    const { pending } = await this.lock.run(async (): Promise<{ pending: Promise<AppendResult> }> => {
      if (idempotencyKey) {
        const inflight = this.inflightKeys.get(idempotencyKey);
        if (inflight) return { pending: inflight.then((r) => ({ ...r, duplicate: true })) };
        const stored = await this.ctx.lookupIdempotency(this.axonId, idempotencyKey);
        if (stored) return { pending: Promise.resolve({ ...stored, duplicate: true }) };
      }
      if (
        expectedHead !== undefined &&
        expectedHead !== this.reservedHead &&
        !isMutantActive("expected-head-ignored")
      ) {
        // Answer only once the head it names is durable: a mismatch reporting a head that
        // getAxon and read do not show yet is not linearizable (and would name a phantom if that
        // commit failed, in which case its error is the answer instead).
        const head = this.reservedHead;
        const mismatch = this.newestCommit.then(() => {
          throw new ExpectedHeadMismatchError(this.axonId, expectedHead, head);
        });
        return { pending: mismatch };
      }
      return { pending: this.reserve(events, idempotencyKey) };
    });
    return pending;
  }

  private reserve(inputs: readonly EventInput[], idempotencyKey: string | undefined): Promise<AppendResult> {
    const firstSequence = this.reservedHead + 1;
    this.reservedHead += inputs.length;
    // Timestamps never go backwards within an axon, even if the clock does.
    const timestampMs = Math.max(this.ctx.now(), this.lastTimestampMs);
    this.lastTimestampMs = timestampMs;
    const events: StoredEvent[] = inputs.map((input, i) => ({
      axonId: this.axonId,
      sequence: firstSequence + i,
      timestampMs,
      origin: input.origin,
      source: input.source,
      eventType: input.eventType,
      payload: input.payload,
    }));
    const result: AppendResult = {
      firstSequence,
      lastSequence: this.reservedHead,
      timestampMs,
      duplicate: false,
    };
    const durable = this.ctx
      .commit(this.axonId, events, idempotencyKey, result, () => {
        this.durable = result.lastSequence;
        this.ctx.notify(this.axonId, events);
      })
      .then(() => result);
    this.newestCommit = durable;
    if (idempotencyKey) {
      this.inflightKeys.set(idempotencyKey, durable);
      // Once durable the key is in the index; a failed write leaves nothing to dedupe against.
      const forget = () => this.inflightKeys.delete(idempotencyKey);
      durable.then(forget, forget);
    }
    return durable;
  }
}
