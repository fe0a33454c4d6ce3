import { seededRng } from "@openaxon/core";
import { ManualClock } from "@openaxon/core/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { KvOp } from "./kv-backend.js";
import { KvLogStore } from "./kv-log-store.js";
import type { StoredEvent } from "./log-store.js";
import { MemoryBackend } from "./memory-backend.js";
import { TAIL_SIGNAL_LIMITS, TailSignal } from "./tail-signal.js";
import { userEvent } from "./test-support/user-event.js";

/** Each durable write takes until the next macrotask, as a real fsync does, so appends queue behind it. */
class SlowBackend extends MemoryBackend {
  override async writeDurable(ops: readonly KvOp[]): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    return super.writeDurable(ops);
  }
}

const stored = (axonId: string, sequence: number, payload = "{}"): StoredEvent => ({
  axonId,
  sequence,
  timestampMs: 0,
  origin: 1,
  source: "s",
  eventType: "t",
  payload,
});
const run = (axonId: string, first: number, count: number, payload?: string) =>
  Array.from({ length: count }, (_, i) => stored(axonId, first + i, payload));

describe("TailSignal", () => {
  it("signals nothing until flushed, then each axon's appends joined, in order", () => {
    const tail = new TailSignal();
    const seen: [string, number[]][] = [];
    tail.watch("a", (events) => seen.push(["a", events.map((e) => e.sequence)]));
    tail.watch("b", (events) => seen.push(["b", events.map((e) => e.sequence)]));
    tail.add("a", run("a", 1, 2));
    tail.add("b", run("b", 1, 1));
    tail.add("a", run("a", 3, 1));
    expect(seen).toEqual([]);
    tail.flush();
    expect(seen).toEqual([
      ["a", [1, 2, 3]],
      ["b", [1]],
    ]);
    tail.flush();
    expect(seen).toHaveLength(2);
  });

  it("keeps a joined signal within the limits, and a large append whole", () => {
    const tail = new TailSignal();
    const sizes: number[] = [];
    tail.watch("a", (events) => sizes.push(events.length));
    const big = TAIL_SIGNAL_LIMITS.maxEvents + 10;
    tail.add("a", run("a", 1, 200));
    tail.add("a", run("a", 201, 100));
    tail.add("a", run("a", 301, big));
    tail.flush();
    expect(sizes).toEqual([200, 100, big]);
  });

  it("keeps nothing for an axon nobody watches, and stops signalling a listener once unwatched", () => {
    const tail = new TailSignal();
    const seen: number[] = [];
    const unwatch = tail.watch("a", (events) => seen.push(events.length));
    tail.add("z", run("z", 1, 1));
    tail.add("a", run("a", 1, 1));
    tail.flush();
    unwatch();
    tail.add("a", run("a", 2, 1));
    tail.flush();
    expect(seen).toEqual([1]);
  });
});

describe("TailSignal, a listener that throws", () => {
  it("costs the other listeners nothing and is reported with its axon", () => {
    const failures: [string, unknown][] = [];
    const tail = new TailSignal((axonId, error) => failures.push([axonId, error]));
    const seen: string[] = [];
    tail.watch("a", () => seen.push("first"));
    tail.watch("a", () => {
      throw new Error("boom");
    });
    tail.watch("a", () => seen.push("third"));
    tail.add("a", run("a", 1, 1));
    tail.flush();
    expect(seen).toEqual(["first", "third"]);
    expect(failures).toHaveLength(1);
    expect(failures[0]![0]).toBe("a");
    expect((failures[0]![1] as Error).message).toBe("boom");
  });
});

describe("KvLogStore tail signal", () => {
  it("a watcher that throws costs neither the publishers their acks nor the other watchers their events", async () => {
    const failed: string[] = [];
    const store = new KvLogStore({
      backend: new SlowBackend(),
      clock: new ManualClock(),
      rng: seededRng(1),
      observer: { writeStarted: () => () => {}, watcherFailed: (axonId) => failed.push(axonId) },
    });
    const axon = await store.createAxon({ name: "tail", labels: {} });
    store.watch(axon.id, () => {
      throw new Error("a broken subscriber");
    });
    const seen: number[] = [];
    store.watch(axon.id, (events) => seen.push(...events.map((e) => e.sequence)));
    const results = await Promise.all([1, 2, 3].map(() => store.append(axon.id, [userEvent(), userEvent()])));
    expect(results.map((r) => r.lastSequence).sort((a, b) => a - b)).toEqual([2, 4, 6]);
    const later = await store.append(axon.id, [userEvent()]);
    expect(later.firstSequence).toBe(7);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(failed.length).toBeGreaterThan(0);
    expect(new Set(failed)).toEqual(new Set([axon.id]));
    expect(await store.read(axon.id, { afterSequence: 0, limit: 100 })).toHaveLength(7);
    await store.close();
  });

  it("tells a watcher about every event of concurrent appends, in order, one signal per durable write", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 40 }),
        async (sizes) => {
          const writes: number[] = [];
          const observer = {
            writeStarted: (write: { commits: number; events: number }) => {
              if (write.events > 0) writes.push(write.commits);
              return () => {};
            },
          };
          const store = new KvLogStore({
            backend: new SlowBackend(),
            clock: new ManualClock(),
            rng: seededRng(1),
            observer,
          });
          const axon = await store.createAxon({ name: "tail", labels: {} });
          const signals: number[][] = [];
          store.watch(axon.id, (events) => signals.push(events.map((e) => e.sequence)));
          // Issued together: the first append's write is in flight while the rest queue for the next.
          await Promise.all(
            sizes.map((n) =>
              store.append(
                axon.id,
                Array.from({ length: n }, () => userEvent()),
              ),
            ),
          );
          const total = sizes.reduce((a, b) => a + b, 0);
          expect(signals.flat()).toEqual(Array.from({ length: total }, (_, i) => i + 1));
          // At most 200 small events: every write's appends fit one signal.
          expect(signals.length).toBe(writes.length);
          expect(writes.reduce((a, b) => a + b, 0)).toBe(sizes.length);
          await store.close();
        },
      ),
      { numRuns: 30 },
    );
  });

  it("joins the appends one group commit made durable", async () => {
    const writes: number[] = [];
    const store = new KvLogStore({
      backend: new SlowBackend(),
      clock: new ManualClock(),
      rng: seededRng(1),
      observer: {
        writeStarted: (w) => {
          writes.push(w.commits);
          return () => {};
        },
      },
    });
    const axon = await store.createAxon({ name: "tail", labels: {} });
    const signals: number[] = [];
    store.watch(axon.id, (events) => signals.push(events.length));
    writes.length = 0;
    await Promise.all(Array.from({ length: 32 }, () => store.append(axon.id, [userEvent()])));
    expect(Math.max(...writes)).toBeGreaterThan(1);
    expect(signals).toEqual(writes);
    await store.close();
  });
});
