/**
 * Runs tasks one at a time, in the order they were queued; a failed task does not stop the next.
 * The store's sequencer (idempotency check + sequence reservation per axon), a runtime's
 * transitions and the gateway registry's check-then-write steps each go through one.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T> | T): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once everything queued so far has finished. */
  idle(): Promise<void> {
    return this.run(() => undefined);
  }
}
