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
}

const put = (key: string): KvOp => ({ type: "put", key, value: new Uint8Array([1]) });

describe("GroupCommit", () => {
  it("merges commits queued behind an in-flight write into one durable write", async () => {
    const backend = new RecordingBackend();
    let open!: () => void;
    backend.gate = new Promise((r) => {
      open = r;
    });
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

  it("splits a burst larger than the batch byte cap into several writes", async () => {
    const backend = new RecordingBackend();
    let open!: () => void;
    backend.gate = new Promise((r) => {
      open = r;
    });
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
