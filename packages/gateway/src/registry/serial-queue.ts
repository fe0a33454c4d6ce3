/**
 * Runs tasks one at a time, in call order. The registry's checks (unique names, references) and
 * the writes they guard must not interleave, or two concurrent creates could both take a name.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task, task);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
