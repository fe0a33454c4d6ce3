import type { Clock, Timer } from "@openaxon/core";

/**
 * When a runtime has been idle long enough. The runtime reports, whenever its brokers' activity
 * changes, since when all of them have been idle (or undefined while any turn runs or waits); the
 * timer fires `onExpired` once that has lasted `idleMs`. Firing is only a hint: the runtime checks
 * again inside its (serialized) transition, since a trigger may have arrived meanwhile.
 */
export class IdleTimer {
  private timer: Timer | undefined;

  constructor(
    private readonly clock: Clock,
    /** 0 or less: never. */
    private readonly idleMs: number,
    private readonly onExpired: () => void,
  ) {}

  update(idleSinceMs: number | undefined): void {
    this.cancel();
    if (idleSinceMs === undefined || this.idleMs <= 0) return;
    const delay = Math.max(0, idleSinceMs + this.idleMs - this.clock.now());
    this.timer = this.clock.setTimer(delay, () => {
      this.timer = undefined;
      this.onExpired();
    });
  }

  /** Whether `idleSinceMs` is long enough ago to act on. */
  expired(idleSinceMs: number | undefined): boolean {
    return idleSinceMs !== undefined && this.idleMs > 0 && this.clock.now() - idleSinceMs >= this.idleMs;
  }

  cancel(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
}

/** Since when every one of several brokers has been idle; undefined if any is busy (or there are none). */
export function idleSinceAll(idleSinces: readonly (number | undefined)[]): number | undefined {
  if (idleSinces.length === 0) return undefined;
  let latest = Number.NEGATIVE_INFINITY;
  for (const since of idleSinces) {
    if (since === undefined) return undefined;
    latest = Math.max(latest, since);
  }
  return latest;
}
