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
