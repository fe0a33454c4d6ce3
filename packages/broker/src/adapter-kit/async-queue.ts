/**
 * A single-consumer queue that one side pushes into and the other iterates. It lets callback-driven
 * protocol handlers (notifications, process events) feed the pull-based turn iterator.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiting: (() => void) | undefined;
  private ended = false;
  private failure: { error: unknown } | undefined;
  private pushedCount = 0;
  /** Items the consumer took and then came back for more, i.e. finished handling. */
  private handledCount = 0;
  private readonly handledWaiters: { count: number; resolve: () => void }[] = [];

  push(item: T): void {
    if (this.closed) return;
    this.items.push(item);
    this.pushedCount += 1;
    this.wake();
  }

  /** No more items: iteration finishes once the queued ones are consumed. */
  end(): void {
    this.ended = true;
    this.wake();
    this.releaseHandledWaiters(true);
  }

  /** Iteration throws `error` once the queued items are consumed. The first failure wins. */
  fail(error: unknown): void {
    if (this.closed) return;
    this.failure = { error };
    this.wake();
    this.releaseHandledWaiters(true);
  }

  get closed(): boolean {
    return this.ended || this.failure !== undefined;
  }

  /**
   * Resolves once the consumer has handled every item pushed so far — taken it and asked for the
   * next — or the queue closed. Lets a side request (a permission prompt) wait until everything
   * that preceded it has been passed on.
   */
  handled(): Promise<void> {
    if (this.closed || this.handledCount >= this.pushedCount) return Promise.resolve();
    return new Promise((resolve) => this.handledWaiters.push({ count: this.pushedCount, resolve }));
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.items.length > 0) {
        yield this.items.shift() as T;
        this.handledCount += 1;
        this.releaseHandledWaiters(false);
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

  private releaseHandledWaiters(all: boolean): void {
    for (let i = this.handledWaiters.length - 1; i >= 0; i--) {
      const waiter = this.handledWaiters[i]!;
      if (all || this.handledCount >= waiter.count) {
        this.handledWaiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }
}
