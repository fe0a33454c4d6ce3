import type { Clock, Timer } from "@openaxon/core";

interface Entry {
  readonly due: number;
  /** Tie-break: timers due at the same instant fire in the order they were set. */
  readonly order: number;
  readonly fn: () => void;
  /** The process the timer belongs to; a crashed process's timers never fire. */
  readonly scope: ClockScope | undefined;
  cancelled: boolean;
}

/** The simulation starts every world at the same instant, so traces do not depend on the wall clock. */
export const SIM_EPOCH_MS = 1_700_000_000_000;

/**
 * Virtual time. `now()` moves only when the simulation calls `advanceTo`/`advanceBy`; timers sit in
 * a binary heap ordered by (due, order) and fire one at a time, with the world settled in between,
 * so a timer's callback and everything it sets off run before the next timer fires.
 */
export class SimClock implements Clock {
  private nowMs: number;
  private order = 0;
  private readonly heap: Entry[] = [];

  constructor(startMs = SIM_EPOCH_MS) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  setTimer(delayMs: number, fn: () => void): Timer {
    return this.add(delayMs, fn, undefined);
  }

  /** A view of this clock for one simulated process: `kill()` cancels every timer it set. */
  scope(): ClockScope {
    return new ClockScope(this);
  }

  /** Due time of the earliest live timer, if any. */
  nextDue(): number | undefined {
    this.dropCancelled();
    return this.heap[0]?.due;
  }

  get pendingTimers(): number {
    return this.heap.filter((e) => !e.cancelled && !e.scope?.killed).length;
  }

  /**
   * Fires every timer due up to `targetMs` in order, calling `settle` after each so the work a
   * timer starts finishes before time moves on; then sets the time to `targetMs`.
   */
  async advanceTo(targetMs: number, settle: () => Promise<void>): Promise<number> {
    let fired = 0;
    for (;;) {
      this.dropCancelled();
      const next = this.heap[0];
      if (!next || next.due > targetMs) break;
      this.pop();
      this.nowMs = Math.max(this.nowMs, next.due);
      fired++;
      next.fn();
      await settle();
    }
    this.nowMs = Math.max(this.nowMs, targetMs);
    return fired;
  }

  advanceBy(ms: number, settle: () => Promise<void>): Promise<number> {
    return this.advanceTo(this.nowMs + ms, settle);
  }

  /** @internal used by ClockScope */
  add(delayMs: number, fn: () => void, scope: ClockScope | undefined): Timer {
    const entry: Entry = {
      due: this.nowMs + Math.max(0, delayMs),
      order: this.order++,
      fn,
      scope,
      cancelled: false,
    };
    this.push(entry);
    return {
      cancel: () => {
        entry.cancelled = true;
      },
    };
  }

  private dropCancelled(): void {
    while (this.heap[0] && (this.heap[0].cancelled || this.heap[0].scope?.killed)) this.pop();
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): Entry | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.due < b.due || (a.due === b.due && a.order < b.order);
}

/** The clock as one simulated process sees it. When the process dies, its timers die with it. */
export class ClockScope implements Clock {
  killed = false;

  constructor(private readonly clock: SimClock) {}

  now(): number {
    return this.clock.now();
  }

  setTimer(delayMs: number, fn: () => void): Timer {
    if (this.killed) return { cancel() {} };
    return this.clock.add(delayMs, fn, this);
  }

  kill(): void {
    this.killed = true;
  }
}
