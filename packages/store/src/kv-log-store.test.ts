import { seededRng } from "@openaxon/core";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import {
  AxonNotFoundError,
  ExpectedHeadMismatchError,
  StoreClosedError,
  StoreFailedError,
} from "./errors.js";
import type { KvOp } from "./kv-backend.js";
import { KvLogStore } from "./kv-log-store.js";
import { MemoryBackend } from "./memory-backend.js";
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

describe("KvLogStore axons", () => {
  it("creates, gets, lists by prefix in creation order, and deletes", async () => {
    const store = memoryStore();
    const a = await store.createAxon({ name: "build-1", labels: { team: "x" } });
    const b = await store.createAxon({ name: "chat", labels: {} });
    const c = await store.createAxon({ name: "build-2", labels: {} });
    expect(a.id).toMatch(/^axn_/);
    expect(await store.getAxon(a.id)).toEqual({ ...a, headSequence: 0 });
    expect((await store.listAxons({ limit: 10 })).map((x) => x.id)).toEqual([a.id, b.id, c.id]);
    expect((await store.listAxons({ namePrefix: "build", limit: 10 })).map((x) => x.id)).toEqual([
      a.id,
      c.id,
    ]);
    expect((await store.listAxons({ afterId: a.id, limit: 1 })).map((x) => x.id)).toEqual([b.id]);
    expect(await store.deleteAxon(b.id)).toBe(true);
    expect(await store.getAxon(b.id)).toBeUndefined();
    expect(await store.deleteAxon(b.id)).toBe(false);
    expect((await store.listAxons({ limit: 10 })).map((x) => x.id)).toEqual([a.id, c.id]);
    await expect(store.append(b.id, [userEvent()])).rejects.toBeInstanceOf(AxonNotFoundError);
    await expect(store.read(b.id, { afterSequence: 0, limit: 10 })).rejects.toBeInstanceOf(AxonNotFoundError);
  });
});

describe("KvLogStore append and read", () => {
  it("assigns 1-based consecutive sequences and reads them back in both directions", async () => {
    const store = memoryStore();
    const { id } = await store.createAxon({ name: "", labels: {} });
    expect(await store.append(id, [userEvent({ n: 1 })])).toMatchObject({
      firstSequence: 1,
      lastSequence: 1,
      duplicate: false,
    });
    expect(await store.append(id, [userEvent({ n: 2 }), userEvent({ n: 3 })])).toMatchObject({
      firstSequence: 2,
      lastSequence: 3,
    });
    const asc = await store.read(id, { afterSequence: 1, limit: 10 });
    expect(asc.map((e) => [e.sequence, JSON.parse(e.payload).n])).toEqual([
      [2, 2],
      [3, 3],
    ]);
    const desc = await store.read(id, { afterSequence: 0, limit: 2, descending: true });
    expect(desc.map((e) => e.sequence)).toEqual([3, 2]);
    const older = await store.read(id, { afterSequence: 3, limit: 10, descending: true });
    expect(older.map((e) => e.sequence)).toEqual([2, 1]);
    expect((await store.getAxon(id))?.headSequence).toBe(3);
  });

  it("keeps sequences gap-free and every payload at its sequence under concurrent appends", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 40 }),
        async (sizes) => {
          const store = memoryStore();
          const { id } = await store.createAxon({ name: "", labels: {} });
          const results = await Promise.all(
            sizes.map((size, caller) =>
              store.append(
                id,
                Array.from({ length: size }, (_, i) => userEvent({ caller, i })),
              ),
            ),
          );
          const total = sizes.reduce((a, b) => a + b, 0);
          const events = await store.read(id, { afterSequence: 0, limit: total + 10 });
          expect(events.map((e) => e.sequence)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
          results.forEach((r, caller) => {
            expect(r.lastSequence - r.firstSequence + 1).toBe(sizes[caller]);
            for (let s = r.firstSequence; s <= r.lastSequence; s++) {
              expect(JSON.parse(events[s - 1]!.payload)).toEqual({ caller, i: s - r.firstSequence });
            }
          });
        },
      ),
      { numRuns: 50 },
    );
  });

  it("dedupes an idempotency key, also when the retry races the original", async () => {
    const store = memoryStore();
    const { id } = await store.createAxon({ name: "", labels: {} });
    const [first, racing] = await Promise.all([
      store.append(id, [userEvent({ a: 1 })], { idempotencyKey: "k1" }),
      store.append(id, [userEvent({ a: 2 })], { idempotencyKey: "k1" }),
    ]);
    expect(first.duplicate).toBe(false);
    expect(racing).toEqual({ ...first, duplicate: true });
    const later = await store.append(id, [userEvent({ a: 3 })], { idempotencyKey: "k1" });
    expect(later).toEqual({ ...first, duplicate: true });
    expect((await store.read(id, { afterSequence: 0, limit: 10 })).map((e) => e.payload)).toEqual([
      '{"a":1}',
    ]);
    // Keys are per axon.
    const other = await store.createAxon({ name: "", labels: {} });
    expect((await store.append(other.id, [userEvent()], { idempotencyKey: "k1" })).duplicate).toBe(false);
  });

  it("appends only at the expected head and reports the current head otherwise", async () => {
    const store = memoryStore();
    const { id } = await store.createAxon({ name: "", labels: {} });
    await store.append(id, [userEvent()], { expectedHead: 0 });
    const error = await store.append(id, [userEvent()], { expectedHead: 0 }).catch((e) => e);
    expect(error).toBeInstanceOf(ExpectedHeadMismatchError);
    expect(error).toMatchObject({ expectedHead: 0, currentHead: 1 });
    expect((await store.append(id, [userEvent()], { expectedHead: 1 })).lastSequence).toBe(2);
    // Of two racing writers expecting the same head, exactly one wins.
    const raced = await Promise.allSettled([
      store.append(id, [userEvent()], { expectedHead: 2 }),
      store.append(id, [userEvent()], { expectedHead: 2 }),
    ]);
    expect(raced.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect((await store.getAxon(id))?.headSequence).toBe(3);
  });

  it("tells watchers about durable events in order, and only after they are readable", async () => {
    const store = memoryStore();
    const { id } = await store.createAxon({ name: "", labels: {} });
    const seen: number[] = [];
    const checks: Array<Promise<void>> = [];
    const unwatch = store.watch(id, (events) => {
      for (const e of events) seen.push(e.sequence);
      const last = events[events.length - 1]!.sequence;
      checks.push(
        store.read(id, { afterSequence: last - 1, limit: 1 }).then((r) => expect(r[0]?.sequence).toBe(last)),
      );
    });
    await Promise.all(Array.from({ length: 30 }, (_, i) => store.append(id, [userEvent({ i })])));
    unwatch();
    await store.append(id, [userEvent()]);
    await Promise.all(checks);
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

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

  it("stores small records for other subsystems", async () => {
    const store = memoryStore();
    await store.putRecord("runtime", "rt_1", { status: "running" });
    await store.putRecord("runtime", "rt_2", { status: "suspended" });
    await store.putRecord("policy", "np_1", {});
    expect(await store.getRecord("runtime", "rt_1")).toEqual({ status: "running" });
    expect(await store.listRecords("runtime")).toHaveLength(2);
    await store.deleteRecord("runtime", "rt_1");
    expect(await store.getRecord("runtime", "rt_1")).toBeUndefined();
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

describe("KvLogStore byte-bounded reads", () => {
  it("stops a read once the byte budget is spent, returning at least one event, without skipping", async () => {
    const store = memoryStore();
    const { id } = await store.createAxon({ name: "", labels: {} });
    const big = "x".repeat(1000);
    for (let i = 0; i < 20; i++) await store.append(id, [userEvent({ big, i })]);
    const page = await store.read(id, { afterSequence: 0, limit: 100, maxBytes: 3500 });
    expect(page.map((e) => e.sequence)).toEqual([1, 2, 3, 4]);
    const one = await store.read(id, { afterSequence: 4, limit: 100, maxBytes: 1 });
    expect(one.map((e) => e.sequence)).toEqual([5]);
    const desc = await store.read(id, { afterSequence: 0, limit: 100, maxBytes: 2500, descending: true });
    expect(desc.map((e) => e.sequence)).toEqual([20, 19, 18]);
    const all = await store.read(id, { afterSequence: 0, limit: 100, maxBytes: 10 ** 9 });
    expect(all).toHaveLength(20);
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
            let expected = r.descending
              ? all.filter((e) => e.sequence < (r.after > 0 ? r.after : total + 1)).reverse()
              : all.filter((e) => e.sequence > r.after);
            expected = expected.slice(0, r.limit);
            if (r.maxBytes !== undefined) {
              let bytes = 0;
              const capped = [];
              for (const e of expected) {
                capped.push(e);
                bytes += e.payload.length + e.source.length + e.eventType.length + 32;
                if (bytes >= r.maxBytes) break;
              }
              expected = capped;
            }
            expect(got).toEqual(expected);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
