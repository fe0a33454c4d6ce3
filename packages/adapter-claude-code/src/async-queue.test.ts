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
