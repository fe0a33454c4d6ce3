/**
 * Where the SDK gets its timers (backoff waits, the idle watchdog). Structurally the `Clock` of
 * @openaxon/core, so the simulation can pass its virtual clock; the SDK does not depend on core
 * itself, to stay loadable in browsers.
 */
export interface Timers {
  /** Calls `fn` once after `delayMs` unless cancelled. */
  setTimer(delayMs: number, fn: () => void): { cancel(): void };
}

export const systemTimers: Timers = {
  setTimer(delayMs, fn) {
    // Deliberately ref'd: a subscription waiting out its backoff while the server is down must
    // keep Node alive, or an awaited `for await` ends in exit code 13 (issue 8). Every timer the
    // SDK starts is cancelled when its subscription ends, breaks or aborts, so none outlives it.
    const handle = setTimeout(fn, delayMs);
    return { cancel: () => clearTimeout(handle) };
  },
};

/** Resolves after `ms`, or early (without error) when `signal` aborts. */
export function sleepOn(timers: Timers, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const onAbort = () => {
      timer.cancel();
      resolve();
    };
    const timer = timers.setTimer(ms, () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
