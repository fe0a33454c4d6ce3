import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catchUpThenLive, type FollowItem } from "./catch-up-then-live.js";
import type { StoredEvent } from "./log-store.js";
import { memoryStore, userEvent } from "./test-support/temp-store.js";

// Issue 10 (fan-out): a live, idle follower's commits may be taken by a sink straight from the
// tail signal instead of being yielded. Whatever the sink takes or declines, and however commits
// race with replay and the hand-off, the sink's commits and the yielded events together must be
// every sequence exactly once, in order — the sink is never offered a commit while an item is
// pending, a gap, or anything during replay.

const range = (from: number, to: number) =>
  Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

describe("issue 10: catchUpThenLive's live sink", () => {
  it("sink and generator together deliver every sequence once, in order", async () => {
    let sunkTotal = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 20 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 8 }),
        fc.scheduler(),
        async (before, during, accepts, batchSize, s) => {
          const store = memoryStore();
          const { id } = await store.createAxon({ name: "", labels: {} });
          for (let i = 0; i < before; i++) await store.append(id, [userEvent({ i })]);
          const total = before + during.reduce((a, b) => a + b, 0);
          // Everything delivered, in the order the consumer saw it (sink writes happen at once).
          const order: number[] = [];
          let live = false;
          let offers = 0;
          let pendingItem = false;
          // (Recorded, not thrown: catchUpThenLive treats a throwing sink as one that declined.)
          const misuses: string[] = [];
          const liveSink = (commit: readonly StoredEvent[]) => {
            if (!live) misuses.push("offered during replay");
            if (pendingItem) misuses.push("offered while an item was being handled");
            const take = accepts[offers++ % accepts.length]!;
            if (take) for (const e of commit) order.push(e.sequence);
            if (take) sunkTotal++;
            return take;
          };
          const appends = during.map((n) =>
            s.schedule(Promise.resolve(), "append").then(() =>
              store.append(
                id,
                Array.from({ length: n }, () => userEvent()),
              ),
            ),
          );
          const controller = new AbortController();
          const items: FollowItem[] = [];
          const followed = (async () => {
            for await (const item of catchUpThenLive(store, id, {
              afterSequence: 0,
              batchSize,
              liveSink,
              signal: controller.signal,
            })) {
              pendingItem = true;
              items.push(item);
              if (item.kind === "caught_up") live = true;
              if (item.kind === "events") for (const e of item.events) order.push(e.sequence);
              await s.schedule(Promise.resolve(), "consume");
              pendingItem = false;
              if (order.length >= total) controller.abort();
            }
          })();
          await s.waitFor(Promise.all(appends));
          // The last commits may all have gone to the sink: nothing more will be yielded.
          await s.waitFor(
            new Promise<void>((resolve) => {
              const check = () => (order.length >= total ? resolve() : setImmediate(check));
              check();
            }),
          );
          controller.abort();
          await s.waitFor(followed);
          expect(misuses).toEqual([]);
          expect(order).toEqual(range(1, total));
          expect(items.some((i) => i.kind === "fell_behind")).toBe(false);
        },
      ),
      { numRuns: 100 },
    );
    // The runs did exercise the sink.
    expect(sunkTotal).toBeGreaterThan(0);
  });

  it("a follower aborted while a commit is being signalled is not offered it", async () => {
    // Two idle followers of one axon; the first one's sink aborts the second, so the second hears
    // of the commit in the same tail signal, after its abort and before its generator has stopped.
    const store = memoryStore();
    const { id } = await store.createAxon({ name: "", labels: {} });
    const first = new AbortController();
    const second = new AbortController();
    const offeredToSecond: number[] = [];
    const follow = (signal: AbortSignal, liveSink: (commit: readonly StoredEvent[]) => boolean) => {
      const kinds: string[] = [];
      const done = (async () => {
        for await (const item of catchUpThenLive(store, id, { afterSequence: 0, liveSink, signal }))
          kinds.push(item.kind);
      })();
      return { kinds, done };
    };
    const a = follow(first.signal, () => {
      second.abort();
      return true;
    });
    const b = follow(second.signal, (commit) => {
      for (const e of commit) offeredToSecond.push(e.sequence);
      return true;
    });
    while (a.kinds.length === 0 || b.kinds.length === 0) await new Promise((r) => setImmediate(r));
    await store.append(id, [userEvent()]);
    await b.done;
    first.abort();
    await a.done;
    expect(offeredToSecond).toEqual([]);
    expect(b.kinds).toEqual(["caught_up"]);
  });

  it("a commit larger than the live buffer overflows as before instead of going to the sink", async () => {
    const store = memoryStore();
    const { id } = await store.createAxon({ name: "", labels: {} });
    const sunk: number[] = [];
    const controller = new AbortController();
    const kinds: string[] = [];
    const seen: number[] = [];
    const follower = catchUpThenLive(store, id, {
      afterSequence: 0,
      liveBufferLimit: 3,
      liveSink: (commit) => {
        for (const e of commit) sunk.push(e.sequence);
        return true;
      },
      signal: controller.signal,
    });
    const done = (async () => {
      for await (const item of follower) {
        kinds.push(item.kind);
        if (item.kind === "events") for (const e of item.events) seen.push(e.sequence);
        if (item.kind === "caught_up" && kinds.length > 1) controller.abort();
        if (item.kind === "caught_up" && kinds.length === 1) {
          // Live and idle from here: a small commit goes to the sink, a large one overflows.
          setImmediate(async () => {
            await store.append(id, [userEvent()]);
            await store.append(
              id,
              Array.from({ length: 5 }, () => userEvent()),
            );
          });
        }
      }
    })();
    await done;
    expect(sunk).toEqual([1]);
    expect(kinds).toEqual(["caught_up", "fell_behind", "events", "caught_up"]);
    expect(seen).toEqual(range(2, 6));
  });
});
