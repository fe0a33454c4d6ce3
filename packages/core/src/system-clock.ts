import type { Clock, Timer } from "./clock.js";

/** The real clock. The one place in the core packages allowed to touch wall time and timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(delayMs: number, fn: () => void): Timer {
    const handle = setTimeout(fn, delayMs);
    // A pending timer alone must not keep a process alive (heartbeats, idle checks).
    handle.unref?.();
    return { cancel: () => clearTimeout(handle) };
  },
};
