import { ManualClock } from "@openaxon/core/testing";
import { describe, expect, it } from "vitest";
import { forEachWithin, type StoppableIterable } from "./idle-deadline.js";

/**
 * A source like nats.js's: items pushed from outside; `stop(err)` ends it. How it ends varies as
 * in nats.js: KV keys throw `err` at once, consumer messages first hand out what is queued, and
 * some paths end quietly.
 */
type StopMode = "throws-at-once" | "drains-then-throws" | "ends-quietly";

class PushedSource implements StoppableIterable<number> {
  private readonly items: number[] = [];
  private wake: (() => void) | undefined;
  private ended: { error?: Error } | undefined;
  stoppedWith: Error | undefined;

  constructor(private readonly mode: StopMode = "throws-at-once") {}

  push(item: number): void {
    this.items.push(item);
    this.wake?.();
  }

  stop(error?: Error): void {
    this.stoppedWith = error;
    this.ended = error && this.mode !== "ends-quietly" ? { error } : {};
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<number> {
    for (;;) {
      if (this.ended?.error && this.mode === "throws-at-once") throw this.ended.error;
      const item = this.items.shift();
      if (item !== undefined) yield item;
      else if (this.ended?.error) throw this.ended.error;
      else if (this.ended) return;
      else await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Visits `source` with a 100 ms deadline, collecting what it sees while `keepGoing` says so. */
function visitAll(
  source: PushedSource,
  clock: ManualClock,
  stallMessage = "stalled",
  keepGoing: (n: number) => boolean = () => true,
) {
  const seen: number[] = [];
  const run = forEachWithin(
    source,
    { clock, idleMs: 100 },
    () => new Error(stallMessage),
    (n) => {
      seen.push(n);
      return keepGoing(n);
    },
  );
  return { run, seen };
}

describe("forEachWithin", () => {
  it("visits every item that arrives within the deadline of the one before, and leaves no timer", async () => {
    const clock = new ManualClock();
    const source = new PushedSource();
    const { run, seen } = visitAll(source, clock);
    for (let n = 1; n <= 5; n++) {
      clock.advance(99);
      source.push(n);
      await settle();
    }
    source.stop();
    await run;
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(clock.pending).toBe(0);
  });

  it("stops the source and fails with the stall error once the next item is idleMs late", async () => {
    const clock = new ManualClock();
    const source = new PushedSource();
    const { run, seen } = visitAll(source, clock, "no message for 100 ms");
    source.push(1);
    await settle();
    clock.advance(100);
    await expect(run).rejects.toThrow("no message for 100 ms");
    expect(source.stoppedWith?.message).toBe("no message for 100 ms");
    expect(seen).toEqual([1]);
    expect(clock.pending).toBe(0);
  });

  for (const mode of ["drains-then-throws", "ends-quietly"] as const) {
    it(`fails with the stall error, visiting nothing after it, when the stopped source ${mode}`, async () => {
      const clock = new ManualClock();
      const source = new PushedSource(mode);
      const { run, seen } = visitAll(source, clock);
      source.push(1);
      await settle();
      clock.advance(100);
      // Arrived too late: queued when the deadline passed, so not visited.
      source.push(2);
      await expect(run).rejects.toThrow("stalled");
      expect(seen).toEqual([1]);
      expect(clock.pending).toBe(0);
    });
  }

  it("ends when visit says so, without waiting for more", async () => {
    const clock = new ManualClock();
    const source = new PushedSource();
    for (let n = 1; n <= 5; n++) source.push(n);
    const { run, seen } = visitAll(source, clock, "stalled", (n) => n < 3);
    await run;
    expect(seen).toEqual([1, 2, 3]);
    expect(clock.pending).toBe(0);
  });
});
