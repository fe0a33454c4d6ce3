import { ManualClock } from "@openaxon/core/testing";
import { describe, expect, it } from "vitest";
import { forEachWithin, type StoppableIterable } from "./idle-deadline.js";

/** A source like nats.js's: items pushed from outside; `stop(err)` ends it, throwing `err`. */
class PushedSource implements StoppableIterable<number> {
  private readonly items: number[] = [];
  private wake: (() => void) | undefined;
  private ended: { error?: Error } | undefined;
  stoppedWith: Error | undefined;

  push(item: number): void {
    this.items.push(item);
    this.wake?.();
  }

  stop(error?: Error): void {
    this.stoppedWith = error;
    this.ended = error ? { error } : {};
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<number> {
    for (;;) {
      if (this.ended?.error) throw this.ended.error;
      const item = this.items.shift();
      if (item !== undefined) yield item;
      else if (this.ended) return;
      else await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("forEachWithin", () => {
  it("visits every item that arrives within the deadline of the one before, and leaves no timer", async () => {
    const clock = new ManualClock();
    const source = new PushedSource();
    const seen: number[] = [];
    const run = forEachWithin(
      source,
      { clock, idleMs: 100 },
      () => new Error("stalled"),
      (n) => {
        seen.push(n);
        return true;
      },
    );
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
    const seen: number[] = [];
    const run = forEachWithin(
      source,
      { clock, idleMs: 100 },
      () => new Error("no message for 100 ms"),
      (n) => {
        seen.push(n);
        return true;
      },
    );
    source.push(1);
    await settle();
    clock.advance(100);
    await expect(run).rejects.toThrow("no message for 100 ms");
    expect(source.stoppedWith?.message).toBe("no message for 100 ms");
    expect(seen).toEqual([1]);
    expect(clock.pending).toBe(0);
  });

  it("ends when visit says so, without waiting for more", async () => {
    const clock = new ManualClock();
    const source = new PushedSource();
    for (let n = 1; n <= 5; n++) source.push(n);
    const seen: number[] = [];
    await forEachWithin(
      source,
      { clock, idleMs: 100 },
      () => new Error("stalled"),
      (n) => {
        seen.push(n);
        return n < 3;
      },
    );
    expect(seen).toEqual([1, 2, 3]);
    expect(clock.pending).toBe(0);
  });
});
