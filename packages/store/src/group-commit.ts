import { isMutantActive } from "@openaxon/core";
import { type AppendedEvents, joinAppends } from "./join-appends.js";
import type { KvBackend, KvOp } from "./kv-backend.js";
import { eventSize } from "./log-store.js";
import { mergeOps } from "./merge-ops.js";
import { type DurableWrite, quietObserver, type StoreObserver } from "./store-observer.js";

interface Pending {
  readonly ops: readonly KvOp[];
  /** Events to append, encoded at write time together with the same axon's other appends. */
  readonly appended: AppendedEvents | undefined;
  readonly bytes: number;
  readonly events: number;
  readonly onDurable: () => void;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit: at most one durable write is in flight; everything enqueued while it runs is merged
 * into the next single `writeDurable` call, each key written once (mergeOps), an axon's consecutive
 * appends in one chunk (joinAppends). Many concurrent appends, across callers and axons, cost one
 * fsync. Entries are written and acknowledged in enqueue order.
 *
 * A failed write poisons the committer: the sequences reserved by everything queued behind it can no
 * longer be written gap-free, so every pending and later commit fails until the store is reopened
 * (the same stance databases take on fsync failure).
 */
export class GroupCommit {
  private readonly observer: StoreObserver | undefined;
  private queue: Pending[] = [];
  private writing: Promise<void> | undefined;
  private failure: unknown;
  private failed = false;

  constructor(
    private readonly backend: KvBackend,
    /** Upper bound for one merged write, so a burst of large payloads is not one giant batch. */
    private readonly maxBatchBytes = 32 * 1024 * 1024,
    observer?: StoreObserver,
    /** Chunk ops for appended events (joined per axon); needed by commits that pass `appended`. */
    private readonly encodeAppended?: (appended: AppendedEvents) => KvOp[],
    /** Runs once a durable write's `onDurable` callbacks have all run (the store flushes its tail signal). */
    private readonly afterDurable?: () => void,
  ) {
    this.observer = observer && quietObserver(observer);
  }

  /**
   * Resolves once `ops` are durable; `onDurable` runs first, synchronously, in commit order. If a
   * callback of the write throws, the commit is rejected although durable (it may already have
   * run its `onDurable`) and the committer fails, so the store recovers from disk.
   * `events` is how many events the commit appends (for the observer only); `appended`, the events
   * themselves when their chunks are left to the committer.
   */
  commit(
    ops: readonly KvOp[],
    onDurable: () => void = () => {},
    events = 0,
    appended?: AppendedEvents,
  ): Promise<void> {
    if (this.failed) return Promise.reject(this.failure);
    if (appended && !this.encodeAppended) {
      return Promise.reject(new Error("GroupCommit: appended events need an encodeAppended function"));
    }
    return new Promise<void>((resolve, reject) => {
      let bytes = 0;
      for (const op of ops) bytes += op.key.length + (op.type === "put" ? op.value.byteLength : 0);
      if (appended) for (const event of appended.events) bytes += eventSize(event);
      this.queue.push({ ops, appended, bytes, events, onDurable, resolve, reject });
      if (!this.writing) this.writing = this.drain();
    });
  }

  get isFailed(): boolean {
    return this.failed;
  }

  get error(): unknown {
    return this.failure;
  }

  /** Resolves when everything enqueued so far has been written (or failed). */
  async idle(): Promise<void> {
    while (this.writing) await this.writing.catch(() => {});
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        let written: ((error?: unknown) => void) | undefined;
        try {
          const ops = this.opsOf(batch);
          written = this.observer?.writeStarted(describeWrite(batch));
          const writing = this.backend.writeDurable(ops);
          await (isMutantActive("ack-before-durable") ? undefined : writing);
        } catch (error) {
          written?.(error);
          this.fail(error, batch);
          return;
        }
        written?.();
        try {
          for (const p of batch) p.onDurable();
          this.afterDurable?.();
        } catch (error) {
          // Durable, but the in-memory state may not have followed it. Failing (rather than
          // leaving these callers unanswered, or acknowledging on state that may be wrong) makes
          // the store recover: reopen and re-read every head from disk. The events are durable,
          // so watchers still hear of those already queued now, not at some later commit.
          this.flushAfterFailure();
          this.fail(error, batch);
          return;
        }
        for (const p of batch) p.resolve();
      }
    } finally {
      this.writing = undefined;
    }
  }

  private flushAfterFailure(): void {
    try {
      this.afterDurable?.();
    } catch {
      // The flush was what threw: nothing is left queued.
    }
  }

  private opsOf(batch: readonly Pending[]): readonly KvOp[] {
    const appended: AppendedEvents[] = [];
    for (const p of batch) if (p.appended) appended.push(p.appended);
    if (appended.length === 0) return batch.length === 1 ? batch[0]!.ops : mergeOps(batch.map((p) => p.ops));
    const chunks = joinAppends(appended).flatMap((run) => this.encodeAppended!(run));
    return mergeOps([chunks, ...batch.map((p) => p.ops)]);
  }

  private takeBatch(): Pending[] {
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length && (n === 0 || bytes + this.queue[n]!.bytes <= this.maxBatchBytes)) {
      bytes += this.queue[n]!.bytes;
      n++;
    }
    return this.queue.splice(0, n);
  }

  private fail(error: unknown, batch: Pending[]): void {
    this.failed = true;
    this.failure = error;
    for (const p of [...batch, ...this.queue]) p.reject(error);
    this.queue = [];
  }
}

function describeWrite(batch: readonly Pending[]): DurableWrite {
  let events = 0;
  let bytes = 0;
  for (const p of batch) {
    events += p.events;
    bytes += p.bytes;
  }
  return { commits: batch.length, events, bytes };
}
