import { SerialQueue } from "@openaxon/core";
import { describe, expect, it } from "vitest";

describe("SerialQueue", () => {
  it("runs tasks one at a time in call order, and a failure does not stop the next", async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = queue.run(async () => {
      log.push("first start");
      await gate;
      log.push("first end");
      throw new Error("boom");
    });
    const second = queue.run(async () => {
      log.push("second");
      return 2;
    });
    await Promise.resolve();
    expect(log).toEqual(["first start"]);
    release();
    await expect(first).rejects.toThrow("boom");
    expect(await second).toBe(2);
    expect(log).toEqual(["first start", "first end", "second"]);
  });
});

describe("SerialQueue.idle", () => {
  it("resolves only after everything queued before it", async () => {
    const queue = new SerialQueue();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let done = false;
    void queue.run(async () => {
      await gate;
      done = true;
    });
    const idle = queue.idle().then(() => done);
    release();
    expect(await idle).toBe(true);
  });
});
