import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catchUpThenLive, type FollowItem } from "./catch-up-then-live.js";
import { chunkPageEvents } from "./chunk-page.js";
import type { LogStore, StoredEvent } from "./log-store.js";
import { memoryStore, userEvent } from "./test-support/temp-store.js";

/** Collects items until `until` says stop, then aborts the follower. */
async function follow(
  store: LogStore,
  axonId: string,
  options: Parameters<typeof catchUpThenLive>[2] & {
    until: (seen: number[], items: FollowItem[]) => boolean;
    onItem?: () => Promise<void>;
  },
) {
  const controller = new AbortController();
  const seen: number[] = [];
  const items: FollowItem[] = [];
  for await (const item of catchUpThenLive(store, axonId, { ...options, signal: controller.signal })) {
    items.push(item);
    if (item.kind === "events") for (const e of item.events) seen.push(e.sequence);
    if (item.kind === "chunks") for (const e of chunkPageEvents(item.page)) seen.push(e.sequence);
    if (options.until(seen, items)) controller.abort();
    await options.onItem?.();
  }
  return { seen, items };
}

const range = (from: number, to: number) =>
  Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

describe("catchUpThenLive", () => {
  it("delivers every sequence after the start exactly once, whatever commits race with the hand-off", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 40 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 0, max: 45 }),
        fc.integer({ min: 1, max: 8 }),
        fc.boolean(),
        fc.scheduler(),
        async (before, during, startAfter, batchSize, chunkPages, s) => {
          const store = memoryStore();
          const { id } = await store.createAxon({ name: "", labels: {} });
          for (let i = 0; i < before; i++) await store.append(id, [userEvent({ i })]);
          const after = Math.min(startAfter, before);
          const total = before + during.reduce((a, b) => a + b, 0);
          const delivered = new Set<readonly StoredEvent[]>();
          const unwatch = store.watch(id, (events) => delivered.add(events));
          // Appends are released in an order fast-check chooses, interleaved with the follower's reads.
          const appends = during.map((n) =>
            s.schedule(Promise.resolve(), "append").then(() =>
              store.append(
                id,
                Array.from({ length: n }, () => userEvent()),
              ),
            ),
          );
          const followed = follow(store, id, {
            afterSequence: after,
            batchSize,
            // Replay as stored chunk pages (the Subscribe path) or as events: the same sequences.
            chunkPages,
            until: (seen) => seen.length >= total - after,
            onItem: () => s.schedule(Promise.resolve(), "consume"),
          });
          await s.waitFor(Promise.all([followed, ...appends]));
          const { seen, items } = await followed;
          expect(seen).toEqual(range(after + 1, total));
          // At most one caught_up (none if everything arrived during replay): no spurious fell_behind.
          expect(items.filter((i) => i.kind === "caught_up").length).toBeLessThanOrEqual(1);
          expect(items.some((i) => i.kind === "fell_behind")).toBe(false);
          // Chunk pages only replay; live items are events.
          const caughtUp = items.findIndex((i) => i.kind === "caught_up");
          if (caughtUp >= 0) expect(items.slice(caughtUp).some((i) => i.kind === "chunks")).toBe(false);
          if (!chunkPages) expect(items.some((i) => i.kind === "chunks")).toBe(false);
          else if (before > after) expect(items.some((i) => i.kind === "chunks")).toBe(true);
          // Live items keep commits whole, as the very arrays the tail signal delivered (so their
          // encoding can be shared); only the first may be cut where replay left off.
          for (const item of items) {
            if (item.kind !== "events" || !item.commits) continue;
            expect(item.commits.flat().map((e) => e.sequence)).toEqual(item.events.map((e) => e.sequence));
            item.commits.forEach((commit, i) => {
              if (i > 0 || items.indexOf(item) !== items.findIndex((x) => x.kind === "events" && x.commits))
                expect(delivered.has(commit)).toBe(true);
            });
          }
          unwatch();
        },
      ),
      { numRuns: 100 },
    );
  });

  it("drops a slow follower back to store reads when the live buffer overflows, losing nothing", async () => {
    const store = memoryStore();
    const { id } = await store.createAxon({ name: "", labels: {} });
    let released = false;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const followed = follow(store, id, {
      afterSequence: 0,
      liveBufferLimit: 5,
      until: (seen) => seen.length >= 50,
      onItem: async () => {
        if (!released) await gate;
      },
    });
    // The follower is stuck on caught_up while 50 events are committed: far more than the buffer.
    await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 50; i++) await store.append(id, [userEvent({ i })]);
    released = true;
    release();
    const { seen, items } = await followed;
    expect(seen).toEqual(range(1, 50));
    const kinds = items.map((i) => i.kind);
    expect(kinds).toContain("fell_behind");
    // After falling behind it catches up from the store and says so again.
    expect(kinds.lastIndexOf("caught_up")).toBeGreaterThan(kinds.indexOf("fell_behind"));
  });

  it("hands live commits over whole, as the arrays the tail signal delivered, grouped up to batchSize", async () => {
    const store = memoryStore();
    const { id } = await store.createAxon({ name: "", labels: {} });
    const delivered: (readonly StoredEvent[])[] = [];
    const unwatch = store.watch(id, (events) => delivered.push(events));
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const followed = follow(store, id, {
      afterSequence: 0,
      batchSize: 4,
      until: (seen) => seen.length >= 9,
      onItem: () => gate,
    });
    await new Promise((r) => setImmediate(r));
    // Committed while the follower is busy: buffered as three commits of 1, 3 and 5 events.
    for (const n of [1, 3, 5])
      await store.append(
        id,
        Array.from({ length: n }, () => userEvent()),
      );
    release();
    const { seen, items } = await followed;
    unwatch();
    expect(seen).toEqual(range(1, 9));
    const live = items.filter((i) => i.kind === "events");
    expect(live.map((i) => i.commits?.length)).toEqual([2, 1]);
    expect(live.flatMap((i) => i.commits ?? [])).toEqual(delivered);
    for (const [k, commit] of live.flatMap((i) => i.commits ?? []).entries())
      expect(commit).toBe(delivered[k]);
  });

  it("waits for future events when starting beyond the head", async () => {
    const store = memoryStore();
    const { id } = await store.createAxon({ name: "", labels: {} });
    await store.append(id, [userEvent()]);
    const followed = follow(store, id, { afterSequence: 3, until: (seen) => seen.length >= 1 });
    for (let i = 0; i < 4; i++) await store.append(id, [userEvent()]);
    expect((await followed).seen).toEqual([4]);
  });

  it("applies a filter but keeps its place in the log", async () => {
    const store = memoryStore();
    const { id } = await store.createAxon({ name: "", labels: {} });
    await store.append(id, [userEvent({}, "a"), userEvent({}, "b"), userEvent({}, "a")]);
    const followed = follow(store, id, {
      afterSequence: 0,
      filter: (e) => e.eventType === "a",
      // Chunk pages carry every event: a filtered follower replays events, and filters them.
      chunkPages: true,
      until: (seen) => seen.includes(5),
    });
    await store.append(id, [userEvent({}, "b"), userEvent({}, "a")]);
    const { seen, items } = await followed;
    expect(seen).toEqual([1, 3, 5]);
    expect(items.some((i) => i.kind === "chunks")).toBe(false);
  });

  it("stops promptly when aborted while idle and releases its watcher", async () => {
    const store = memoryStore();
    const { id } = await store.createAxon({ name: "", labels: {} });
    const controller = new AbortController();
    const items: FollowItem[] = [];
    const run = (async () => {
      for await (const item of catchUpThenLive(store, id, { afterSequence: 0, signal: controller.signal }))
        items.push(item);
    })();
    await new Promise((r) => setImmediate(r));
    controller.abort();
    await run;
    expect(items.map((i) => i.kind)).toEqual(["caught_up"]);
  });
});

describe("catchUpThenLive read-ahead", () => {
  /** The store, with its reads counted and optionally replaced. */
  function countingReads(store: LogStore, replace?: (n: number) => Promise<StoredEvent[]> | undefined) {
    const counted = { reads: 0, store };
    counted.store = new Proxy(store, {
      get(target, key, receiver) {
        if (key !== "read") return Reflect.get(target, key, receiver);
        return ((axonId, options) => {
          counted.reads++;
          return replace?.(counted.reads) ?? target.read(axonId, options);
        }) satisfies LogStore["read"];
      },
    });
    return counted;
  }

  it("reads the next replay page while the consumer still handles the current one", async () => {
    const store = memoryStore();
    const { id } = await store.createAxon({ name: "", labels: {} });
    for (let i = 0; i < 10; i++) await store.append(id, [userEvent({ i })]);
    const counted = countingReads(store);
    const follower = catchUpThenLive(counted.store, id, { afterSequence: 0, batchSize: 4 });
    const first = await follower.next();
    expect(first.value).toMatchObject({ kind: "events", events: [{ sequence: 1 }, {}, {}, { sequence: 4 }] });
    await new Promise((r) => setImmediate(r));
    expect(counted.reads).toBe(2);
    const rest: FollowItem[] = [];
    for (let r = await follower.next(); !r.done; r = await follower.next()) {
      rest.push(r.value);
      if (r.value.kind === "caught_up") break;
    }
    await follower.return();
    expect(rest.flatMap((i) => (i.kind === "events" ? i.events.map((e) => e.sequence) : []))).toEqual(
      range(5, 10),
    );
  });

  it("abandons a read-ahead quietly when the consumer stops, even if that read fails", async () => {
    const store = memoryStore();
    const { id } = await store.createAxon({ name: "", labels: {} });
    for (let i = 0; i < 10; i++) await store.append(id, [userEvent({ i })]);
    let fail!: (error: Error) => void;
    const counted = countingReads(store, (n) =>
      n === 2
        ? new Promise<StoredEvent[]>((_, reject) => {
            fail = reject;
          })
        : undefined,
    );
    const follower = catchUpThenLive(counted.store, id, { afterSequence: 0, batchSize: 4 });
    expect((await follower.next()).value).toMatchObject({ kind: "events" });
    await follower.return();
    // An unhandled rejection here would fail the test run.
    fail(new Error("store closed under an abandoned read"));
    await new Promise((r) => setImmediate(r));
    expect(counted.reads).toBe(2);
  });
});

describe("catchUpThenLive with large payloads", () => {
  it("replays in byte-bounded pages without mistaking a full page for the head", async () => {
    const store = memoryStore();
    const { id } = await store.createAxon({ name: "", labels: {} });
    for (let i = 0; i < 30; i++) await store.append(id, [userEvent({ pad: "y".repeat(500), i })]);
    const { seen, items } = await follow(store, id, {
      afterSequence: 0,
      maxReadBytes: 2000,
      until: (_seen, items) => items.some((i) => i.kind === "caught_up"),
    });
    expect(seen).toEqual(range(1, 30));
    const pages = items.filter((i) => i.kind === "events");
    expect(pages.length).toBeGreaterThan(5);
    expect(items.at(-1)).toEqual({ kind: "caught_up", headSequence: 30 });
  });

  it("reports the real head in caught_up when starting beyond it", async () => {
    const store = memoryStore();
    const { id } = await store.createAxon({ name: "", labels: {} });
    await store.append(id, [userEvent()]);
    const { items } = await follow(store, id, { afterSequence: 10, until: (_s, items) => items.length > 0 });
    expect(items[0]).toEqual({ kind: "caught_up", headSequence: 1 });
  });
});
