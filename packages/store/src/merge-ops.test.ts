import { seededRng } from "@openaxon/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { KvOp } from "./kv-backend.js";
import { KvLogStore } from "./kv-log-store.js";
import { MemoryBackend } from "./memory-backend.js";
import { mergeOps } from "./merge-ops.js";
import { testClock, userEvent } from "./test-support/temp-store.js";

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

  it("N appends to one axon in one group commit write N chunks and one head", async () => {
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
    // one: n - 1 chunks, and the head and stored-bytes records once each.
    expect(writes.map((w) => w.length)).toEqual([3, n - 1 + 2]);
    expect((await store.read(id, { afterSequence: 0, limit: 100 })).length).toBe(n);
    await store.close();
  });
});
