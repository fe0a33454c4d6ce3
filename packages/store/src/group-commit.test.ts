import { describe, expect, it } from "vitest";
import { GroupCommit } from "./group-commit.js";
import type { KvOp } from "./kv-backend.js";
import { MemoryBackend } from "./memory-backend.js";

class RecordingBackend extends MemoryBackend {
  writes: number[] = [];
  gate: Promise<void> | undefined;
  failNext = false;
  override async writeDurable(ops: readonly KvOp[]): Promise<void> {
    this.writes.push(ops.length);
    await this.gate;
    if (this.failNext) throw new Error("disk full");
    this.apply(ops);
  }

  /** Holds every write until the returned function is called. */
  hold(): () => void {
    let open!: () => void;
    this.gate = new Promise((r) => {
      open = r;
    });
    return open;
  }
}

const put = (key: string): KvOp => ({ type: "put", key, value: new Uint8Array([1]) });

describe("GroupCommit", () => {
  it("merges commits queued behind an in-flight write into one durable write", async () => {
    const backend = new RecordingBackend();
    const open = backend.hold();
    const committer = new GroupCommit(backend);
    const first = committer.commit([put("a")]);
    const rest = Array.from({ length: 50 }, (_, i) => committer.commit([put(`k${i}`)]));
    open();
    await Promise.all([first, ...rest]);
    expect(backend.writes).toEqual([1, 50]);
  });

  it("acknowledges in commit order, each only after its write", async () => {
    const backend = new RecordingBackend();
    const committer = new GroupCommit(backend);
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        committer.commit([put(`k${i}`)], () => {
          expect(backend.snapshot().has(`k${i}`)).toBe(true);
          order.push(i);
        }),
      ),
    );
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it("fails every queued and later commit after a write error, so no sequence is skipped", async () => {
    const backend = new RecordingBackend();
    backend.failNext = true;
    const committer = new GroupCommit(backend);
    const results = await Promise.allSettled([committer.commit([put("a")]), committer.commit([put("b")])]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    await expect(committer.commit([put("c")])).rejects.toThrow("disk full");
    expect(backend.snapshot().size).toBe(0);
  });

  it("rejects a durable batch whose callbacks throw, and fails, so the store recovers from disk instead of hanging", async () => {
    const backend = new RecordingBackend();
    const open = backend.hold();
    const committer = new GroupCommit(backend);
    const first = committer.commit([put("a")]);
    // Queued behind the first write, so these two share the next one.
    const broken = committer.commit([put("b")], () => {
      throw new Error("head out of step");
    });
    const neighbour = committer.commit([put("c")]);
    open();
    await first;
    const results = await Promise.allSettled([broken, neighbour]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(committer.isFailed).toBe(true);
    expect(String(committer.error)).toContain("head out of step");
    await expect(committer.commit([put("d")])).rejects.toThrow("head out of step");
    // The write itself is durable: recovery re-reads it.
    expect(await backend.get("b")).toBeDefined();
  });

  it("still flushes what the failed batch's callbacks queued for watchers: those events are durable", async () => {
    const flushed: string[] = [];
    const queued: string[] = [];
    const backend = new RecordingBackend();
    const open = backend.hold();
    const committer = new GroupCommit(backend, undefined, undefined, undefined, () => {
      flushed.push(...queued.splice(0));
    });
    const first = committer.commit([put("first")]);
    // Queued behind the first write, so these two share the next one.
    const settled = Promise.allSettled([
      committer.commit([put("a")], () => queued.push("a")),
      committer.commit([put("b")], () => {
        throw new Error("head out of step");
      }),
    ]);
    open();
    await first;
    const results = await settled;
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(flushed).toEqual(["a"]);
  });

  it("writes and acknowledges as usual when its observer throws", async () => {
    const committer = new GroupCommit(new RecordingBackend(), undefined, {
      writeStarted: () => {
        throw new Error("metrics broke");
      },
    });
    await expect(
      Promise.all([committer.commit([put("a")]), committer.commit([put("b")])]),
    ).resolves.toBeDefined();
    expect(committer.isFailed).toBe(false);
  });

  it("splits a burst larger than the batch byte cap into several writes", async () => {
    const backend = new RecordingBackend();
    const open = backend.hold();
    const committer = new GroupCommit(backend, 10);
    const all = [
      committer.commit([put("first")]),
      ...Array.from({ length: 4 }, (_, i) => committer.commit([put(`k${i}abcd`)])),
    ];
    open();
    await Promise.all(all);
    expect(backend.writes.length).toBeGreaterThan(2);
    expect(backend.writes.reduce((a, b) => a + b)).toBe(5);
  });
});
