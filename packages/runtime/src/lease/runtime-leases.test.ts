import { ManualClock } from "@openaxon/core/testing";
import type { LogStore, RecordStore } from "@openaxon/store";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../runtime-logger.js";
import { leaseTiming } from "./decide-lease.js";
import { FencedStore } from "./fenced-store.js";
import type { LeaseRecord, LeaseStore } from "./lease-store.js";
import { RuntimeFencedError } from "./runtime-fenced-error.js";
import { RuntimeLeases } from "./runtime-leases.js";

// The lease loop of several nodes on one in-memory lease store and one manual clock.

class MemoryLeaseStore implements LeaseStore {
  private readonly leases = new Map<string, LeaseRecord>();
  private revision = 0;
  /** While set, every call hangs like a store that does not answer. */
  hang = false;
  private readonly never = new Promise<never>(() => {});
  async list() {
    if (this.hang) await this.never;
    return new Map(this.leases);
  }
  async write(id: string, holder: string, expectRevision: number) {
    if (this.hang) await this.never;
    if ((this.leases.get(id)?.revision ?? 0) !== expectRevision) return undefined;
    this.leases.set(id, { holder, revision: ++this.revision });
    return this.revision;
  }
  async release(id: string, revision: number) {
    if (this.leases.get(id)?.revision === revision) this.leases.delete(id);
  }
  holder(id: string) {
    return this.leases.get(id)?.holder;
  }
}

const TTL = 2000;
const flush = async () => {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
};

function setup(nodeIds: string[], candidates: string[] = ["rt_1"]) {
  const clock = new ManualClock();
  const store = new MemoryLeaseStore();
  const events: string[] = [];
  const nodes = nodeIds.map(
    (nodeId) =>
      new RuntimeLeases({
        store,
        nodeId,
        clock,
        timing: leaseTiming(TTL),
        candidates: async () => candidates,
        onAcquired: async (id) => void events.push(`${nodeId} took ${id}`),
        onLost: async (id) => void events.push(`${nodeId} lost ${id}`),
        logger: silentLogger,
      }),
  );
  const run = async (ms: number) => {
    for (let t = 0; t < ms; t += 100) {
      clock.advance(100);
      await flush();
    }
  };
  return { clock, store, events, nodes, run };
}

describe("RuntimeLeases", () => {
  it("one node takes a free runtime and keeps it by renewing; the other waits", async () => {
    const { nodes, store, events, run } = setup(["a", "b"]);
    const [a, b] = nodes as [RuntimeLeases, RuntimeLeases];
    await a.start();
    await b.start();
    await run(5 * TTL);
    expect(store.holder("rt_1")).toBe("a");
    expect(a.holds("rt_1")).toBe(true);
    expect(b.holds("rt_1")).toBe(false);
    expect(events).toEqual(["a took rt_1"]);
  });

  it("when the holder dies, another node takes over after the ttl, and the dead one's fence is closed", async () => {
    const { nodes, store, events, run } = setup(["a", "b"]);
    const [a, b] = nodes as [RuntimeLeases, RuntimeLeases];
    await a.start();
    await b.start();
    await run(TTL);
    a.stop(); // kill -9: no release, no more renewals
    const fenced = new FencedStore({} as LogStore & RecordStore, "rt_1", () => a.holds("rt_1"));
    let waited = 0;
    while (store.holder("rt_1") !== "b") {
      await run(100);
      waited += 100;
      expect(waited).toBeLessThan(3 * TTL);
    }
    expect(waited).toBeGreaterThanOrEqual(TTL - 2 * (TTL / 3));
    // The fence is checked before the inner store is reached (here a store with no methods).
    // Long before b took over, a stopped trusting its lease: its runtime's writes are refused.
    expect(a.holds("rt_1")).toBe(false);
    await expect(fenced.putRecord("runtime", "rt_1", {})).rejects.toBeInstanceOf(RuntimeFencedError);
    await expect(fenced.createAxon({ name: "", labels: {} })).rejects.toThrow(
      /no longer hosted by this node/,
    );
    expect(events).toEqual(["a took rt_1", "b took rt_1"]);
    expect(b.holds("rt_1")).toBe(true);
  });

  it("a graceful stop hands the lease back, so the next node takes it on its next poll", async () => {
    const { nodes, store, run } = setup(["a", "b"]);
    const [a, b] = nodes as [RuntimeLeases, RuntimeLeases];
    await a.start();
    await b.start();
    await run(TTL);
    a.stop();
    await a.release();
    expect(store.holder("rt_1")).toBeUndefined();
    await run(b.pollMs);
    expect(store.holder("rt_1")).toBe("b");
  });

  it("a holder that finds its lease taken (its renewal loses) stops hosting at once", async () => {
    const { nodes, store, events, run } = setup(["a"]);
    const [a] = nodes as [RuntimeLeases];
    await a.start();
    const revision = (await store.list()).get("rt_1")!.revision;
    await store.write("rt_1", "intruder", revision);
    await run(TTL);
    expect(a.holds("rt_1")).toBe(false);
    expect(events).toEqual(["a took rt_1", "a lost rt_1"]);
  });

  it("a holder whose lease store stops answering gives the runtime up when its lease runs out, pass or no pass", async () => {
    const { nodes, store, events, run } = setup(["a"]);
    const [a] = nodes as [RuntimeLeases];
    await a.start();
    store.hang = true;
    await run(TTL - TTL / 5);
    expect(a.holds("rt_1")).toBe(false);
    expect(events).toEqual(["a took rt_1", "a lost rt_1"]);
  });

  it("a pass stuck on a store that never answers is left behind after a ttl; the loop goes on", async () => {
    const { nodes, store, events, run } = setup(["a"]);
    const [a] = nodes as [RuntimeLeases];
    store.hang = true;
    void a.start();
    await run(TTL + 100);
    expect(events).toEqual([]);
    store.hang = false;
    await run(a.pollMs + 100);
    expect(store.holder("rt_1")).toBe("a");
    expect(events).toEqual(["a took rt_1"]);
  });

  it("a runtime no longer wanted (shut down) has its lease handed back", async () => {
    const candidates = ["rt_1"];
    const { nodes, store, events, run } = setup(["a"], candidates);
    const [a] = nodes as [RuntimeLeases];
    await a.start();
    candidates.pop();
    await run(a.pollMs);
    expect(store.holder("rt_1")).toBeUndefined();
    expect(events).toEqual(["a took rt_1", "a lost rt_1"]);
  });
});
