import type { Clock } from "@openaxon/core";

/** When the broker last ran out of work, and who waits for that. The broker decides when it is idle. */
export class IdleTracker {
  private sinceMs: number | undefined;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly clock: Clock,
    private readonly onIdle: (sinceMs: number) => void,
  ) {}

  /** Clock ms since the broker is idle, or undefined while it has work. */
  get since(): number | undefined {
    return this.sinceMs;
  }

  /** Work arrived: the idle spell (if any) is over. */
  busy(): void {
    this.sinceMs = undefined;
  }

  /** The broker ran out of work; the first call of a spell stamps it and wakes the waiters. */
  idle(): void {
    if (this.sinceMs !== undefined) return;
    this.sinceMs = this.clock.now();
    this.onIdle(this.sinceMs);
    this.release();
  }

  /** Resolves at the next `idle()` or `release()`. */
  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Wakes every waiter (the broker idled or stopped). */
  release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
