export interface AsyncQueueOptions {
  /** Queued items at which `onPressure(true)` is called; `onPressure(false)` once one is taken. */
  readonly highWater?: number;
  /** Lets the producer pause a stream while the consumer is behind. */
  readonly onPressure?: (full: boolean) => void;
}

/**
 * A single-consumer queue that one side pushes into and the other pulls from (`next()` or
 * `for await`). It lets callback-driven protocol handlers (notifications, process events, stream
 * data) feed a pull-based turn iterator. Items queued before `end` or `fail` are delivered first.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiting: (() => void) | undefined;
  private ended = false;
  private failure: { error: unknown } | undefined;
  private pushedCount = 0;
  /** Items the consumer took and then came back for more, i.e. finished handling. */
  private handledCount = 0;
  /** The consumer holds an item it has not come back from yet. */
  private outstanding = false;
  private readonly handledWaiters: { count: number; resolve: () => void }[] = [];
  private readonly highWater: number;
  private readonly onPressure: ((full: boolean) => void) | undefined;

  constructor(options: AsyncQueueOptions = {}) {
    this.highWater = options.highWater ?? Number.POSITIVE_INFINITY;
    this.onPressure = options.onPressure;
  }

  push(item: T): void {
    if (this.closed) return;
    this.items.push(item);
    this.pushedCount += 1;
    if (this.items.length === this.highWater) this.onPressure?.(true);
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

  /** The next item; `undefined` once ended and drained. Throws the failure once drained. */
  async next(): Promise<T | undefined> {
    return (await this.take())?.item;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const taken = await this.take();
      if (!taken) return;
      yield taken.item;
    }
  }

  private async take(): Promise<{ item: T } | undefined> {
    if (this.outstanding) {
      this.outstanding = false;
      this.handledCount += 1;
      this.releaseHandledWaiters(false);
    }
    for (;;) {
      if (this.items.length > 0) {
        const item = this.items.shift() as T;
        if (this.items.length === this.highWater - 1) this.onPressure?.(false);
        this.outstanding = true;
        return { item };
      }
      if (this.failure) throw this.failure.error;
      if (this.ended) return undefined;
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
