/** A scheduled callback that can be cancelled before it fires. */
export interface Timer {
  cancel(): void;
}

/**
 * Time, as the core packages see it. Production passes `systemClock`; the simulation passes a
 * virtual clock whose time moves only when the simulation says so. Core code never reads the wall
 * clock or starts timers itself, so the same code runs on both.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Calls `fn` once after `delayMs` unless cancelled. */
  setTimer(delayMs: number, fn: () => void): Timer;
}

/** Resolves after `ms` on the given clock; rejects with the signal's reason if aborted first. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      timer.cancel();
      reject(signal?.reason);
    };
    const timer = clock.setTimer(ms, () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
