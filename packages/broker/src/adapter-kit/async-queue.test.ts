import { describe, expect, it } from "vitest";
import { AsyncQueue } from "./async-queue.js";

async function drain<T>(queue: AsyncQueue<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of queue) items.push(item);
  return items;
}

describe("AsyncQueue", () => {
  it("delivers items pushed before and while iterating, in order, until end()", async () => {
    const queue = new AsyncQueue<number>();
    queue.push(1);
    const drained = drain(queue);
    queue.push(2);
    await Promise.resolve();
    queue.push(3);
    queue.end();
    queue.push(4);
    expect(await drained).toEqual([1, 2, 3]);
  });

  it("throws the failure after the items queued before it", async () => {
    const queue = new AsyncQueue<string>();
    const seen: string[] = [];
    queue.push("a");
    queue.fail(new Error("boom"));
    queue.fail(new Error("second failure is ignored"));
    await expect(
      (async () => {
        for await (const item of queue) seen.push(item);
      })(),
    ).rejects.toThrow("boom");
    expect(seen).toEqual(["a"]);
    expect(queue.closed).toBe(true);
  });
});

describe("AsyncQueue.handled", () => {
  it("resolves only after the consumer took everything pushed before it and came back for more", async () => {
    const queue = new AsyncQueue<string>();
    const log: string[] = [];
    queue.push("tool_call");
    const handled = queue.handled().then(() => log.push("handled"));
    const iterator = queue[Symbol.asyncIterator]();

    expect((await iterator.next()).value).toBe("tool_call");
    log.push("consumer published tool_call");
    await Promise.resolve();
    expect(log).toEqual(["consumer published tool_call"]);

    const next = iterator.next();
    await handled;
    expect(log).toEqual(["consumer published tool_call", "handled"]);
    queue.push("later");
    expect((await next).value).toBe("later");
  });

  it("resolves at once when nothing is pending, and when the queue closes", async () => {
    const queue = new AsyncQueue<number>();
    await queue.handled();
    queue.push(1);
    const pending = queue.handled();
    queue.fail(new Error("agent exited"));
    await pending;
  });
});

describe("AsyncQueue.next and back-pressure", () => {
  it("pulls with next(), undefined once ended, and the failure once drained", async () => {
    const queue = new AsyncQueue<number>();
    queue.push(1);
    queue.end();
    expect(await queue.next()).toBe(1);
    expect(await queue.next()).toBeUndefined();

    const failing = new AsyncQueue<number>();
    failing.push(1);
    failing.fail(new Error("stopped"));
    expect(await failing.next()).toBe(1);
    await expect(failing.next()).rejects.toThrow("stopped");
  });

  it("reports pressure at the high-water mark and relief once the consumer takes one", async () => {
    const pressure: boolean[] = [];
    const queue = new AsyncQueue<number>({ highWater: 2, onPressure: (full) => pressure.push(full) });
    queue.push(1);
    expect(pressure).toEqual([]);
    queue.push(2);
    expect(pressure).toEqual([true]);
    expect(await queue.next()).toBe(1);
    expect(pressure).toEqual([true, false]);
    expect(await queue.next()).toBe(2);
    expect(pressure).toEqual([true, false]);
  });
});
