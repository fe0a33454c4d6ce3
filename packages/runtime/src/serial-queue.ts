/**
 * Runs tasks one at a time, in the order they were queued. A runtime's transitions go through one,
 * so a wake racing a suspend (or two RPCs) never interleave: each meets the runtime at rest.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => {});
    return result;
  }

  /** Resolves once everything queued so far has finished. */
  idle(): Promise<void> {
    return this.run(async () => {});
  }
}
