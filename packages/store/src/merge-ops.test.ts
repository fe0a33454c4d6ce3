import { seededRng } from "@openaxon/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { KvOp } from "./kv-backend.js";
import { KvLogStore } from "./kv-log-store.js";
import { MemoryBackend } from "./memory-backend.js";
import { mergeOps } from "./merge-ops.js";
import { tempClassicLevelStore, testClock, userEvent } from "./test-support/temp-store.js";

/** The state a backend ends in after `ops`, as sorted [key, value] pairs. */
function stateAfter(ops: readonly KvOp[]): Array<[string, number[]]> {
  const backend = new MemoryBackend();
  backend.apply(ops);
  const entries: Array<[string, number[]]> = [];
  for (const [key, value] of backend.snapshot()) entries.push([key, [...value]]);
  return entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

const op: fc.Arbitrary<KvOp> = fc.oneof(
  fc.record({
    type: fc.constant("put" as const),
    key: fc.constantFrom("a", "b", "c", "h!1", "e!1!1"),
    value: fc.uint8Array({ maxLength: 3 }),
  }),
  fc.record({ type: fc.constant("del" as const), key: fc.constantFrom("a", "b", "c", "h!1") }),
);

describe("mergeOps", () => {
  it("leaves the store in the state the unmerged ops do, writing each key once", () => {
    fc.assert(
      fc.property(fc.array(fc.array(op, { maxLength: 6 }), { maxLength: 8 }), (groups) => {
        const merged = mergeOps(groups);
        expect(stateAfter(merged)).toEqual(stateAfter(groups.flat()));
        expect(new Set(merged.map((o) => o.key)).size).toBe(merged.length);
      }),
    );
  });

  it("N appends to one axon in one group commit write one chunk and one head", async () => {
    const writes: KvOp[][] = [];
    let gate: Promise<void> = Promise.resolve();
    class GatedBackend extends MemoryBackend {
      override async writeDurable(ops: readonly KvOp[]) {
        writes.push([...ops]);
        await gate;
        this.apply(ops);
      }
    }
    const store = new KvLogStore({ backend: new GatedBackend(), clock: testClock(), rng: seededRng(1) });
    const { id } = await store.createAxon({ name: "", labels: {} });
    writes.length = 0;
    let open!: () => void;
    gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const n = 20;
    const appending = Promise.all(Array.from({ length: n }, () => store.append(id, [userEvent()])));
    // Let every append reserve its sequence and queue behind the first write.
    await new Promise((resolve) => setImmediate(resolve));
    open();
    const acks = await appending;
    expect(acks.map((a) => a.firstSequence)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    // The first append's own write (chunk, head, stored bytes), then the other n - 1 merged into
    // one: their events in one chunk (joinAppends), and the head and stored-bytes records once each.
    expect(writes.map((w) => w.length)).toEqual([3, 1 + 2]);
    const read = await store.read(id, { afterSequence: 0, limit: 100 });
    expect(read.length).toBe(n);
    // Each append kept its own timestamp inside the joined chunk (the test clock ticks per call).
    expect(new Set(acks.map((a) => a.timestampMs)).size).toBe(n);
    expect(read.map((e) => e.timestampMs)).toEqual(acks.map((a) => a.timestampMs));
    await store.close();
  });

  it("joined appends read back whole after reopening a classic-level store", async () => {
    const temp = await tempClassicLevelStore();
    try {
      const { id } = await temp.store.createAxon({ name: "", labels: {} });
      const sent = Array.from({ length: 40 }, (_, i) => userEvent({ i, text: "ünï" }));
      // Concurrent appends, so most of them share group commits and chunks.
      const acks = await Promise.all(sent.map((event) => temp.store.append(id, [event])));
      await temp.store.close();
      const reopened = await temp.reopen();
      try {
        const read = await reopened.read(id, { afterSequence: 0, limit: 100 });
        expect(read.map((e) => e.payload)).toEqual(sent.map((e) => e.payload));
        expect(read.map((e) => [e.sequence, e.timestampMs])).toEqual(
          acks.map((a) => [a.firstSequence, a.timestampMs]),
        );
        expect((await reopened.getAxon(id))?.headSequence).toBe(40);
      } finally {
        await reopened.close();
      }
    } finally {
      await temp.dispose();
    }
  });
});
