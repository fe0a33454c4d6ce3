import { ManualClock } from "@openaxon/core/testing";
import { describe, expect, test } from "vitest";
import { NextOrTimeout, TIMED_OUT } from "./next-or-timeout.js";

/** An iterator whose next() calls are recorded and resolved by the test. */
function controlledIterator() {
  const calls: ((r: IteratorResult<number, void>) => void)[] = [];
  let concurrent = 0;
  let maxConcurrent = 0;
  const iterator: AsyncIterator<number, void, undefined> = {
    next: () => {
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      return new Promise((resolve) =>
        calls.push((r) => {
          concurrent--;
          resolve(r);
        }),
      );
    },
  };
  return { iterator, calls, maxConcurrent: () => maxConcurrent };
}

describe("NextOrTimeout", () => {
  test("times out while the iterator is idle, then delivers the pending value without a second next()", async () => {
    const clock = new ManualClock();
    const source = controlledIterator();
    const puller = new NextOrTimeout(source.iterator, clock);

    for (let i = 0; i < 3; i++) {
      const waiting = puller.next(1000);
      await Promise.resolve();
      clock.advance(1000);
      expect(await waiting).toBe(TIMED_OUT);
    }
    expect(source.calls).toHaveLength(1);

    const waiting = puller.next(1000);
    source.calls[0]!({ value: 7, done: false });
    expect(await waiting).toEqual({ value: 7, done: false });
    expect(clock.pending).toBe(0);
    expect(source.maxConcurrent()).toBe(1);
  });

  test("a value that arrived between waits is returned at once", async () => {
    const clock = new ManualClock();
    const source = controlledIterator();
    const puller = new NextOrTimeout(source.iterator, clock);
    const first = puller.next(10);
    clock.advance(10);
    expect(await first).toBe(TIMED_OUT);
    source.calls[0]!({ value: 1, done: false });
    await Promise.resolve();
    expect(await puller.next(10)).toEqual({ value: 1, done: false });
    expect(source.calls).toHaveLength(1);
  });

  test("rethrows the iterator's error", async () => {
    const clock = new ManualClock();
    const puller = new NextOrTimeout<number>({ next: () => Promise.reject(new Error("boom")) }, clock);
    await expect(puller.next(10)).rejects.toThrow("boom");
  });
});
