import { seededRng } from "@openaxon/core";
import { ManualClock } from "@openaxon/core/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chunkFirstSequence, chunkLastSequence } from "./event-codec.js";
import type { KvRange } from "./kv-backend.js";
import { KvLogStore } from "./kv-log-store.js";
import { MemoryBackend } from "./memory-backend.js";
import { userEvent } from "./test-support/user-event.js";

/** A MemoryBackend that records every event chunk a range read hands out. */
class FetchCountingBackend extends MemoryBackend {
  fetched: string[] = [];

  override async entries(range: KvRange): Promise<Array<[string, Uint8Array]>> {
    const entries = await super.entries(range);
    for (const [key] of entries) if (key.startsWith("e!")) this.fetched.push(key);
    return entries;
  }
}

/** An axon whose chunks hold `sizes[i]` events each (one append per chunk, each durable alone). */
async function axonWithChunks(sizes: readonly number[]) {
  const backend = new FetchCountingBackend();
  const store = new KvLogStore({ backend, clock: new ManualClock(), rng: seededRng(1) });
  const axon = await store.createAxon({ name: "chunks", labels: {} });
  let n = 0;
  for (const size of sizes) {
    await store.append(
      axon.id,
      Array.from({ length: size }, () => userEvent({ n: n++ })),
    );
  }
  const chunks = [...backend.snapshot()]
    .filter(([key]) => key.startsWith(`e!${axon.id}!`))
    .map(([key, value]) => ({ key, first: chunkFirstSequence(value), last: chunkLastSequence(value) }));
  return { backend, store, axonId: axon.id, head: n, chunks };
}

/** Chunks a page of events [from, to] cannot do without. */
const neededChunks = (chunks: readonly { first: number; last: number }[], from: number, to: number) =>
  chunks.filter((c) => c.last >= from && c.first <= to).length;

// A replay page used to fetch the chunk holding its start twice (once to find its key, once to read
// it) and then 16 chunks whatever the page needed: with 2,048-event pages of 256-event chunks, a
// quarter more reads and checksums than the events it served.
describe("readChunks fetches what a page needs", () => {
  it("an ascending page of equal chunks fetches each chunk it serves once, and no other", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 256 }),
        fc.integer({ min: 1, max: 30 }),
        fc.nat(),
        fc.integer({ min: 1, max: 3000 }),
        async (chunkSize, chunkCount, start, limit) => {
          const { backend, store, axonId, head, chunks } = await axonWithChunks(
            Array.from({ length: chunkCount }, () => chunkSize),
          );
          const afterSequence = start % head;
          backend.fetched = [];
          const page = await store.read(axonId, { afterSequence, limit });
          const expected = Math.min(limit, head - afterSequence);
          expect(page.map((e) => e.sequence)).toEqual(
            Array.from({ length: expected }, (_, i) => afterSequence + 1 + i),
          );
          expect(new Set(backend.fetched).size).toBe(backend.fetched.length);
          expect(backend.fetched.length).toBe(
            neededChunks(chunks, afterSequence + 1, afterSequence + expected),
          );
          await store.close();
        },
      ),
      { numRuns: 60 },
    );
  });

  it("pages over uneven chunks, either way, fetch no chunk twice and stay near what they serve", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 256 }), { minLength: 1, maxLength: 40 }),
        fc.nat(),
        fc.integer({ min: 1, max: 3000 }),
        fc.boolean(),
        async (sizes, start, limit, descending) => {
          const { backend, store, axonId, head, chunks } = await axonWithChunks(sizes);
          const afterSequence = descending ? 1 + (start % head) : start % head;
          backend.fetched = [];
          const page = await store.read(axonId, { afterSequence, limit, descending });
          const sequences = page.map((e) => e.sequence);
          const expected = descending
            ? Array.from({ length: Math.min(limit, afterSequence - 1) }, (_, i) => afterSequence - 1 - i)
            : Array.from({ length: Math.min(limit, head - afterSequence) }, (_, i) => afterSequence + 1 + i);
          expect(sequences).toEqual(expected);
          expect(new Set(backend.fetched).size).toBe(backend.fetched.length);
          if (sequences.length > 0) {
            const needed = neededChunks(chunks, Math.min(...sequences), Math.max(...sequences));
            // Each read asks for at most four times the chunks seen before it (or 16).
            expect(backend.fetched.length).toBeLessThanOrEqual(5 * needed + 16);
          }
          await store.close();
        },
      ),
      { numRuns: 60 },
    );
  });
});
