import type { Clock, Timer } from "@openaxon/core";

export const TIMED_OUT = Symbol("timed out");

/**
 * Pulls from an async iterator with a deadline per wait, without ever calling `next()` while an
 * earlier call is still pending: a wait that times out leaves the pending `next()` in place, and the
 * following wait picks up its result. One reaction per `next()`, however many waits time out.
 */
export class NextOrTimeout<T> {
  private pending = false;
  private settled: { value: IteratorResult<T, void> } | { error: unknown } | undefined;
  private notify: (() => void) | undefined;

  constructor(
    private readonly iterator: AsyncIterator<T, void, undefined>,
    private readonly clock: Clock,
  ) {}

  async next(timeoutMs: number): Promise<IteratorResult<T, void> | typeof TIMED_OUT> {
    if (!this.pending && !this.settled) this.pull();
    if (!this.settled) {
      let timer: Timer | undefined;
      await new Promise<void>((resolve) => {
        this.notify = resolve;
        timer = this.clock.setTimer(timeoutMs, resolve);
      });
      this.notify = undefined;
      timer?.cancel();
    }
    const settled = this.settled;
    if (!settled) return TIMED_OUT;
    this.settled = undefined;
    if ("error" in settled) throw settled.error;
    return settled.value;
  }

  /** Stops the iterator; a pending `next()` finishes first, as async generators require. */
  close(): void {
    this.iterator.return?.().catch(() => {});
  }

  private pull(): void {
    this.pending = true;
    this.iterator.next().then(
      (value) => this.settle({ value }),
      (error: unknown) => this.settle({ error }),
    );
  }

  private settle(outcome: { value: IteratorResult<T, void> } | { error: unknown }): void {
    this.pending = false;
    this.settled = outcome;
    this.notify?.();
  }
}
