/**
 * A FIFO mutex. The sequencer holds it only while it checks idempotency and reserves sequences —
 * never across the durable write — so appends to one axon still share a group commit.
 */
export class AxonLock {
  private tail: Promise<void> = Promise.resolve();

  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => {},
      () => {},
    );
    return result;
  }
}
