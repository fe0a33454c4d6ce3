import { seededRng } from "@openaxon/core";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { StoreClosedError, StoreFailedError } from "./errors.js";
import { keys } from "./keys.js";
import type { KvOp, KvRange } from "./kv-backend.js";
import { KvLogStore } from "./kv-log-store.js";
import { MemoryBackend } from "./memory-backend.js";
import { modelSlice } from "./test-support/read-model.js";
import { memoryStore, tempClassicLevelStore, testClock, userEvent } from "./test-support/temp-store.js";

const disposers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (disposers.length) await disposers.pop()!();
});

async function classic() {
  const t = await tempClassicLevelStore();
  disposers.push(t.dispose);
  return t;
}

describe("KvLogStore append and read", () => {
  it("fails appends during a write error, then recovers gap-free from disk, and refuses after close", async () => {
    class FailingBackend extends MemoryBackend {
      fail = false;
      override async writeDurable(ops: readonly KvOp[]) {
        if (this.fail) throw new Error("EIO");
        this.apply(ops);
      }
    }
    const backend = new FailingBackend();
    const store = new KvLogStore({ backend, clock: testClock(), rng: seededRng(3) });
    const { id } = await store.createAxon({ name: "", labels: {} });
    await store.append(id, [userEvent()]);
    backend.fail = true;
    await expect(store.append(id, [userEvent()])).rejects.toBeInstanceOf(StoreFailedError);
    backend.fail = false;
    // The next write recovers: heads are re-read from disk, so sequence 2 is handed out once.
    expect(await store.append(id, [userEvent()])).toMatchObject({ firstSequence: 2, lastSequence: 2 });
    expect(await store.health()).toEqual({ status: "ok" });
    expect((await store.read(id, { afterSequence: 0, limit: 10 })).map((e) => e.sequence)).toEqual([1, 2]);
    await store.close();
    await expect(store.read(id, { afterSequence: 0, limit: 1 })).rejects.toBeInstanceOf(StoreClosedError);
  });

  it("answers read options that are not numbers with a RangeError naming them, not a damage report", async () => {
    const store = memoryStore();
    const { id } = await store.createAxon({ name: "", labels: {} });
    await store.append(id, [userEvent()]);
    const typo = { fromSequence: 1, limit: 10 } as unknown as { afterSequence: number; limit: number };
    await expect(store.read(id, typo)).rejects.toThrow(
      /read: afterSequence must be a number ≥ 0, got undefined/,
    );
    await expect(store.readChunkPage(id, { afterSequence: 0, limit: Number.NaN })).rejects.toThrow(
      /read: limit must be a number ≥ 0, got NaN/,
    );
    expect((await store.read(id, { afterSequence: 0, limit: 10 })).map((e) => e.sequence)).toEqual([1]);
  });
});

describe("KvLogStore retention across a recovery", () => {
  it("a trim that began before a recovery does not move the trim line under the reloaded axon", async () => {
    const axonId = { value: "" };
    class RecoveringBackend extends MemoryBackend {
      fail = false;
      /** Runs once, when the trim first reads the axon's chunks. */
      duringTrim: (() => Promise<void>) | undefined;
      override async writeDurable(ops: readonly KvOp[]) {
        if (this.fail) throw new Error("EIO");
        this.apply(ops);
      }
      override async entries(range: KvRange) {
        const hook = this.duringTrim;
        if (hook && range.lt === keys.eventsEnd(axonId.value)) {
          this.duringTrim = undefined;
          await hook();
        }
        return super.entries(range);
      }
    }
    const backend = new RecoveringBackend();
    const store = new KvLogStore({ backend, clock: testClock(), rng: seededRng(5) });
    const { id } = await store.createAxon({ name: "", labels: {}, retention: { maxEvents: 2 } });
    axonId.value = id;
    for (let i = 0; i < 5; i++) await store.append(id, [userEvent()]);
    // Mid-trim, a write fails and the next one recovers: every head is re-read from disk.
    backend.duringTrim = async () => {
      backend.fail = true;
      await expect(store.append(id, [userEvent()])).rejects.toBeInstanceOf(StoreFailedError);
      backend.fail = false;
      expect(await store.append(id, [userEvent()])).toMatchObject({ firstSequence: 6 });
    };
    // The trim from before the recovery must not land on the axon reloaded after it: abandoned.
    await expect(store.applyRetention()).rejects.toThrow(
      /trim abandoned; the next retention pass trims again/,
    );
    expect(backend.duringTrim).toBeUndefined();
    expect((await store.read(id, { afterSequence: 0, limit: 10 })).map((e) => e.sequence)).toEqual([
      1, 2, 3, 4, 5, 6,
    ]);
    // The next pass trims to the limit, and reads stay whole.
    await store.applyRetention();
    const events = await store.read(id, { afterSequence: 0, limit: 10 });
    expect(events.map((e) => e.sequence)).toEqual([5, 6]);
    expect(await store.health()).toEqual({ status: "ok" });
    await store.close();
  });
});

describe("KvLogStore on classic-level", () => {
  it("recovers heads, events, idempotency keys and deletions after reopening", async () => {
    const t = await classic();
    const a = await t.store.createAxon({ name: "kept", labels: { k: "v" } });
    const b = await t.store.createAxon({ name: "gone", labels: {} });
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        t.store.append(a.id, [userEvent({ i })], { idempotencyKey: `key-${i}` }),
      ),
    );
    await t.store.deleteAxon(b.id);
    await t.store.close();

    const reopened = await t.reopen();
    disposers.push(() => reopened.close());
    expect(await reopened.getAxon(a.id)).toMatchObject({
      name: "kept",
      labels: { k: "v" },
      headSequence: 100,
    });
    expect(await reopened.getAxon(b.id)).toBeUndefined();
    const dup = await reopened.append(a.id, [userEvent({ again: true })], { idempotencyKey: "key-5" });
    expect(dup.duplicate).toBe(true);
    expect((await reopened.append(a.id, [userEvent()])).firstSequence).toBe(101);
    const events = await reopened.read(a.id, { afterSequence: 0, limit: 1000 });
    expect(events.map((e) => e.sequence)).toEqual(Array.from({ length: 101 }, (_, i) => i + 1));
  });
});

describe("KvLogStore reads over multi-event chunks", () => {
  it("returns exactly the model's slice for any start, limit, direction and byte budget", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 8 }),
        fc.array(
          fc.record({
            after: fc.nat(1300),
            limit: fc.integer({ min: 1, max: 700 }),
            descending: fc.boolean(),
            maxBytes: fc.option(fc.integer({ min: 1, max: 20_000 }), { nil: undefined }),
          }),
          { minLength: 1, maxLength: 10 },
        ),
        async (appendSizes, reads) => {
          const store = memoryStore();
          const { id } = await store.createAxon({ name: "", labels: {} });
          for (const size of appendSizes) {
            await store.append(
              id,
              Array.from({ length: size }, (_, i) => userEvent({ i })),
            );
          }
          const all = await store.read(id, { afterSequence: 0, limit: 10_000 });
          const total = appendSizes.reduce((a, b) => a + b, 0);
          expect(all.map((e) => e.sequence)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
          for (const r of reads) {
            const got = await store.read(id, {
              afterSequence: r.after,
              limit: r.limit,
              descending: r.descending,
              maxBytes: r.maxBytes,
            });
            expect(got).toEqual(modelSlice(all, r));
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
