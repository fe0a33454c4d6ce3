import type { Timers } from "../timers.js";

/** Timers that fire only when the test says so. */
export class ManualTimers implements Timers {
  readonly pending = new Set<() => void>();

  setTimer(_delayMs: number, fn: () => void) {
    const entry = () => fn();
    this.pending.add(entry);
    return { cancel: () => this.pending.delete(entry) };
  }

  fireAll(): void {
    const due = [...this.pending];
    this.pending.clear();
    for (const fn of due) fn();
  }
}
