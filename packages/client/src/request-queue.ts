/**
 * The request side of an append session: items pushed by the producer, pulled by the transport as
 * HTTP/2 lets it write. `take` tells the producer an item has left its hands: a batch not yet
 * taken when the session dies was certainly never sent and may go out again on the next session.
 */
export class RequestQueue<T, R> implements AsyncIterable<R> {
  readonly #items: T[] = [];
  #ended = false;
  #wake: (() => void) | undefined;

  constructor(
    /** Called as the transport takes an item; returns the message to send. */
    private readonly take: (item: T) => R,
  ) {}

  push(item: T): void {
    this.#items.push(item);
    this.#wake?.();
  }

  /** Half-closes the stream once every pushed item has been taken. */
  end(): void {
    this.#ended = true;
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<R> {
    for (;;) {
      const item = this.#items.shift();
      if (item !== undefined) {
        yield this.take(item);
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
  }
}
