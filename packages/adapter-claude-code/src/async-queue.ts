/**
 * A single-consumer queue that one side pushes into and the other iterates. It lets callback-driven
 * protocol handlers (notifications, process events) feed the pull-based turn iterator.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiting: (() => void) | undefined;
  private ended = false;
  private failure: { error: unknown } | undefined;

  push(item: T): void {
    if (this.ended || this.failure) return;
    this.items.push(item);
    this.wake();
  }

  /** No more items: iteration finishes once the queued ones are consumed. */
  end(): void {
    this.ended = true;
    this.wake();
  }

  /** Iteration throws `error` once the queued items are consumed. The first failure wins. */
  fail(error: unknown): void {
    if (this.ended || this.failure) return;
    this.failure = { error };
    this.wake();
  }

  get closed(): boolean {
    return this.ended || this.failure !== undefined;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.items.length > 0) {
        yield this.items.shift() as T;
        continue;
      }
      if (this.failure) throw this.failure.error;
      if (this.ended) return;
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
      });
    }
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }
}
