import { isMutantActive, SerialQueue } from "@openaxon/core";
import { AxonFullError, AxonNotFoundError, ExpectedHeadMismatchError } from "./errors.js";
import {
  type AppendOptions,
  type AppendResult,
  type EventInput,
  type StoredEvent,
  storedEventBytes,
} from "./log-store.js";

/** What the sequencer needs from the store around it. */
export interface SequencerContext {
  now(): number;
  /** The per-axon size cap: retained stored bytes an append may not take the axon past. */
  readonly maxAxonBytes: number;
  /** The stored result of an earlier append with this idempotency key, if any. */
  lookupIdempotency(axonId: string, key: string): Promise<AppendResult | undefined>;
  /** Makes the reserved events (and the idempotency record) durable, in reservation order. */
  commit(
    axonId: string,
    events: readonly StoredEvent[],
    idempotencyKey: string | undefined,
    result: AppendResult,
    /** Stored bytes of every event appended to the axon, these included (keys.appendedBytes). */
    appendedBytes: number,
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
  /** Stored bytes of every event appended, reserved ones included / durable ones only. */
  private reservedBytes: number;
  private durableAppendedBytes: number;
  /** The trim line: the oldest sequence reads may return, and the stored bytes of those below it. */
  private trim: TrimLine;
  /** Set when the axon is deleted: appends that had not reserved yet are refused. */
  private retired = false;

  constructor(
    readonly axonId: string,
    /** Head recovered from durable state. */
    private durable: number,
    private readonly ctx: SequencerContext,
    /** Recovered from durable state too (keys.appendedBytes, keys.trimLine). */
    recovered: { appendedBytes: number; trim: TrimLine } = {
      appendedBytes: 0,
      trim: { firstSequence: 1, trimmedBytes: 0 },
    },
  ) {
    this.reservedHead = durable;
    this.reservedBytes = recovered.appendedBytes;
    this.durableAppendedBytes = recovered.appendedBytes;
    this.trim = recovered.trim;
  }

  /** Sequence of the newest durable event. */
  get durableHead(): number {
    return this.durable;
  }

  /** The oldest sequence a read may return (1 until retention trims). */
  get firstSequence(): number {
    return isMutantActive("reads-ignore-trim-line") ? 1 : this.trim.firstSequence;
  }

  get trimLine(): TrimLine {
    return this.trim;
  }

  /** Stored bytes of the durable events not trimmed. */
  get retainedBytes(): number {
    return this.durableAppendedBytes - this.trim.trimmedBytes;
  }

  /** Moves the trim line up once it is durable; it never moves down, nor past the durable head. */
  trimTo(line: TrimLine): void {
    if (line.firstSequence <= this.trim.firstSequence) return;
    if (line.firstSequence > this.durable + 1) {
      throw new RangeError(`trim line ${line.firstSequence} is past head ${this.durable} of ${this.axonId}`);
    }
    this.trim = line;
  }

  /** The axon was deleted: later appends get AxonNotFoundError. */
  retire(): void {
    this.retired = true;
  }

  async append(events: readonly EventInput[], options: AppendOptions = {}): Promise<AppendResult> {
    const { idempotencyKey, expectedHead } = options;
    // The lock covers lookup + reservation only. The durable write is returned boxed: returning the
    // bare promise would make the lock wait for the fsync and serialise this axon's commits.
    const { pending } = await this.lock.run(async (): Promise<{ pending: Promise<AppendResult> }> => {
      if (this.retired) throw new AxonNotFoundError(this.axonId);
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
      // The cap counts what the axon holds once everything reserved is durable; trimming frees room.
      const incoming = events.reduce((sum, event) => sum + storedEventBytes(event), 0);
      const held = this.reservedBytes - this.trim.trimmedBytes;
      if (held + incoming > this.ctx.maxAxonBytes) {
        throw new AxonFullError(this.axonId, held, incoming, this.ctx.maxAxonBytes);
      }
      return { pending: this.reserve(events, idempotencyKey, incoming) };
    });
    return pending;
  }

  private reserve(
    inputs: readonly EventInput[],
    idempotencyKey: string | undefined,
    bytes: number,
  ): Promise<AppendResult> {
    const firstSequence = this.reservedHead + 1;
    this.reservedHead += inputs.length;
    this.reservedBytes += bytes;
    const appendedBytes = this.reservedBytes;
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
      .commit(this.axonId, events, idempotencyKey, result, appendedBytes, () => {
        this.durable = result.lastSequence;
        this.durableAppendedBytes = appendedBytes;
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

/** Where an axon's retained events start (keys.trimLine). */
export interface TrimLine {
  readonly firstSequence: number;
  /** Stored bytes of the events below firstSequence. */
  readonly trimmedBytes: number;
}
