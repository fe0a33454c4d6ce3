import { describe, expect, it } from "vitest";
import { GroupCommit } from "./group-commit.js";
import type { KvOp } from "./kv-backend.js";
import { MemoryBackend } from "./memory-backend.js";
import type { DurableWrite, StoreObserver } from "./store-observer.js";

class GatedBackend extends MemoryBackend {
  gate: Promise<void> | undefined;
  failNext = false;
  override async writeDurable(ops: readonly KvOp[]): Promise<void> {
    await this.gate;
    if (this.failNext) throw new Error("disk full");
    this.apply(ops);
  }
}

/** Records each write as it starts and how it ended. */
function recordingObserver(): StoreObserver & { writes: { write: DurableWrite; ended?: string }[] } {
  const writes: { write: DurableWrite; ended?: string }[] = [];
  return {
    writes,
    writeStarted(write) {
      const entry: { write: DurableWrite; ended?: string } = { write };
      writes.push(entry);
      return (error) => {
        entry.ended = error === undefined ? "durable" : String(error);
      };
    },
  };
}

const put = (key: string, bytes = 1): KvOp => ({ type: "put", key, value: new Uint8Array(bytes) });

describe("GroupCommit's observer", () => {
  it("sees one write per group commit with the commits and events merged into it", async () => {
    const backend = new GatedBackend();
    let open!: () => void;
    backend.gate = new Promise((r) => {
      open = r;
    });
    const observer = recordingObserver();
    const committer = new GroupCommit(backend, undefined, observer);
    const first = committer.commit([put("a", 9)], undefined, 3);
    const rest = Array.from({ length: 10 }, (_, i) => committer.commit([put(`k${i}`, 8)], undefined, 2));
    const meta = committer.commit([put("mm", 8)]); // a metadata write appends no events
    open();
    await Promise.all([first, ...rest, meta]);
    expect(observer.writes).toEqual([
      { write: { commits: 1, events: 3, bytes: 10 }, ended: "durable" },
      { write: { commits: 11, events: 20, bytes: 11 * 10 }, ended: "durable" },
    ]);
  });

  it("is told when a write fails", async () => {
    const backend = new GatedBackend();
    backend.failNext = true;
    const observer = recordingObserver();
    const committer = new GroupCommit(backend, undefined, observer);
    await expect(committer.commit([put("a")], undefined, 1)).rejects.toThrow("disk full");
    expect(observer.writes).toEqual([
      { write: { commits: 1, events: 1, bytes: 2 }, ended: "Error: disk full" },
    ]);
  });
});
