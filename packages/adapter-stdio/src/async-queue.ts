/**
 * A single-consumer queue between event callbacks (stream data, process exit) and an async
 * generator. `onDrain` lets the producer pause a stream while the consumer is behind.
 */
export class AsyncQueue<T> {
  private items: T[] = [];
  private ended = false;
  private error: { readonly error: unknown } | undefined;
  private waiter: (() => void) | undefined;

  constructor(
    private readonly highWater = Number.POSITIVE_INFINITY,
    private readonly onPressure?: (full: boolean) => void,
  ) {}

  push(item: T): void {
    if (this.ended || this.error) return;
    this.items.push(item);
    if (this.items.length === this.highWater) this.onPressure?.(true);
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  fail(error: unknown): void {
    this.error ??= { error };
    this.wake();
  }

  get isClosed(): boolean {
    return this.ended || this.error !== undefined;
  }

  /** The next item; `undefined` once ended and drained. Throws the failure, if any, at once. */
  async next(): Promise<T | undefined> {
    for (;;) {
      if (this.error) throw this.error.error;
      if (this.items.length > 0) {
        const item = this.items.shift()!;
        if (this.items.length === this.highWater - 1) this.onPressure?.(false);
        return item;
      }
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}
