/**
 * The batches of one append session between "read from the client" and "acknowledged", in
 * request order, with the bytes they hold. The reader pushes and waits for room; the writer takes
 * from the front. Waiters are woken on every change and re-check their condition.
 */
export class AckPipeline<T> {
  readonly #entries: { readonly value: T; readonly bytes: number }[] = [];
  #bytes = 0;
  #waiters: (() => void)[] = [];

  constructor(private readonly maxUnackedBytes: number) {}

  get length(): number {
    return this.#entries.length;
  }

  get unackedBytes(): number {
    return this.#bytes;
  }

  /** One batch is always let in, however large, so a batch above the limit still makes progress. */
  get hasRoom(): boolean {
    return this.#entries.length === 0 || this.#bytes < this.maxUnackedBytes;
  }

  push(value: T, bytes: number): void {
    this.#entries.push({ value, bytes });
    this.#bytes += bytes;
    this.notify();
  }

  peek(): T | undefined {
    return this.#entries[0]?.value;
  }

  shift(): void {
    const entry = this.#entries.shift();
    if (entry) this.#bytes -= entry.bytes;
    this.notify();
  }

  /** Resolves on the next push, shift or notify(). */
  changed(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
