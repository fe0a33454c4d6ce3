import type { Clock, Timer } from "../clock.js";

/**
 * A clock whose time moves only when a test calls `advance`; timers fire in due order (ties in the
 * order they were set), each seeing `now()` at its due time. The one test double for `Clock`.
 */
export class ManualClock implements Clock {
  private current: number;
  private timers: Array<{ due: number; seq: number; fn: () => void }> = [];
  private seq = 0;

  constructor(startMs = 1_700_000_000_000) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimer(delayMs: number, fn: () => void): Timer {
    const entry = { due: this.current + Math.max(0, delayMs), seq: this.seq++, fn };
    this.timers.push(entry);
    return { cancel: () => (this.timers = this.timers.filter((t) => t !== entry)) };
  }

  /** Timers scheduled and not yet fired or cancelled. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing every timer due by then (including ones they set). */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      this.timers.sort((a, b) => a.due - b.due || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.due > target) break;
      this.timers.shift();
      this.current = next.due;
      next.fn();
    }
    this.current = target;
  }
}
