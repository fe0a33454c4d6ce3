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
    const handle = setTimeout(fn, delayMs);
    // A pending reconnect or watchdog alone must not keep a Node process alive.
    (handle as { unref?: () => void }).unref?.();
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
