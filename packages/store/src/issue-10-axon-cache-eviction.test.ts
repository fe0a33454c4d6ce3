import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import { seededRng } from "@openaxon/core";
import { afterEach, describe, expect, it } from "vitest";
import { ClassicLevelBackend } from "./classic-level-backend.js";
import type { KvBackend } from "./kv-backend.js";
import { KvLogStore } from "./kv-log-store.js";
import { testClock, userEvent } from "./test-support/temp-store.js";

// Issue 10 item 5: idle axons leave the store's memory (an LRU), and eviction never loses a head
// or reuses a sequence: an evicted axon reloads its head from disk, and one still in use is revived.

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;
/** Collects garbage across a macrotask, so WeakRefs to unreachable sequencers are cleared. */
async function collect() {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setImmediate(r));
    gc();
  }
}

const disposers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (disposers.length) await disposers.pop()!();
});

/** A real classic-level store with a small axon cache, counting axon metadata loads from disk. */
async function smallCacheStore(capacity: number) {
  const dir = await mkdtemp(join(tmpdir(), "openaxon-lru-"));
  const backend = await ClassicLevelBackend.open(join(dir, "db"));
  const counted = { loads: 0 };
  const counting = new Proxy(backend, {
    get(target, key, receiver) {
      if (key !== "get") return Reflect.get(target, key, receiver);
      return (k: string) => {
        if (k.startsWith("a!")) counted.loads++;
        return target.get(k);
      };
    },
  }) as KvBackend;
  const store = new KvLogStore({
    backend: counting,
    clock: testClock(),
    rng: seededRng(3),
    axonCacheCapacity: capacity,
  });
  disposers.push(async () => {
    await store.close().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });
  return { store, counted };
}

describe("issue 10: the store's per-axon cache is an LRU that never loses a head", () => {
  it("evicts idle axons beyond its capacity, and publishing to one again continues at head + 1", async () => {
    const { store, counted } = await smallCacheStore(2);
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const { id } = await store.createAxon({ name: `a${i}`, labels: {} });
      await store.append(id, [userEvent({ i }), userEvent({ i })]);
      ids.push(id);
    }
    await collect();
    const loadsBefore = counted.loads;
    for (const [i, id] of ids.entries()) {
      const result = await store.append(id, [userEvent({ again: i })]);
      expect(result.firstSequence).toBe(3);
      expect((await store.getAxon(id))?.headSequence).toBe(3);
      const events = await store.read(id, { afterSequence: 0, limit: 10 });
      expect(events.map((e) => e.sequence)).toEqual([1, 2, 3]);
    }
    // The evicted axons really came back from disk (not from an unbounded map).
    expect(counted.loads - loadsBefore).toBeGreaterThanOrEqual(8);
  });

  it("never reuses a sequence when an axon is evicted while its appends are in flight", async () => {
    const { store } = await smallCacheStore(1);
    const others: string[] = [];
    for (let i = 0; i < 5; i++) others.push((await store.createAxon({ name: `other${i}`, labels: {} })).id);
    const { id } = await store.createAxon({ name: "busy", labels: {} });
    const inFlight: Promise<{ firstSequence: number }>[] = [];
    for (let round = 0; round < 5; round++) {
      for (let k = 0; k < 4; k++) inFlight.push(store.append(id, [userEvent({ round, k })]));
      // Loading another axon pushes this one out of the cache while those appends wait for fsync.
      const other = store.getAxon(others[round]!);
      gc();
      inFlight.push(store.append(id, [userEvent({ round, after: true })]));
      await other;
      await collect();
    }
    const sequences = (await Promise.all(inFlight)).map((r) => r.firstSequence).sort((a, b) => a - b);
    expect(sequences).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    const stored = await store.read(id, { afterSequence: 0, limit: 100 });
    expect(stored.map((e) => e.sequence)).toEqual(sequences);
  });
});
