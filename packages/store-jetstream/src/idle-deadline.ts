import type { Clock } from "@openaxon/core";

export interface IdleDeadline {
  readonly clock: Clock;
  /** Longest wait for the next item before giving up. */
  readonly idleMs: number;
}

/** A nats.js iterator: consumer messages, KV keys. `stop(err)` ends it from outside. */
export interface StoppableIterable<T> extends AsyncIterable<T> {
  stop(err?: Error): void;
}

/**
 * Runs `visit` on each item of `source` until it returns false or the source ends, but waits at
 * most `idleMs` for each item: then it stops the source and throws `stalled()`. nats.js iterators
 * wait for ever when the node serving them dies, so every bounded read goes through here.
 */
export async function forEachWithin<T>(
  source: StoppableIterable<T>,
  deadline: IdleDeadline,
  stalled: () => Error,
  visit: (item: T) => boolean,
): Promise<void> {
  let error: Error | undefined;
  const arm = () =>
    deadline.clock.setTimer(deadline.idleMs, () => {
      error = stalled();
      source.stop(error);
    });
  let timer = arm();
  try {
    for await (const item of source) {
      timer.cancel();
      if (error) break;
      if (!visit(item)) return;
      timer = arm();
    }
  } finally {
    timer.cancel();
  }
  // stop(err) may end the iteration quietly rather than throw, depending on timing.
  if (error) throw error;
}
