import { seededRng } from "@openaxon/core";
import { ManualClock } from "@openaxon/core/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ChunkCursor } from "./chunk-cursor.js";
import { chunkPageEvents } from "./chunk-page.js";
import { AxonNotFoundError, StoreCorruptionError } from "./errors.js";
import { KvLogStore } from "./kv-log-store.js";
import { type EventInput, Origin } from "./log-store.js";
import { MemoryBackend } from "./memory-backend.js";

// Replay reads pages as chunk slices (readChunkPage) so the server can transcode them. Those pages
// must hold exactly the events `read` returns, under the same checks; only `maxBytes` is counted
// in UTF-8 bytes, so a page of non-ASCII text may end sooner, never later.

const text = fc.string({ unit: fc.constantFrom("a", "é", "€", "😀", "\u0000", "\ud800"), maxLength: 60 });
const event: fc.Arbitrary<EventInput> = fc.record({
  origin: fc.constantFrom(Origin.User, Origin.Agent, Origin.System),
  source: fc.oneof(fc.constant("cli"), text),
  eventType: fc.oneof(fc.constant("user.message"), text),
  payload: text,
});

/** An axon filled by `appends` (each one commit; several may share a chunk only if merged). */
async function axonOf(appends: readonly (readonly EventInput[])[]) {
  const backend = new MemoryBackend();
  const clock = new ManualClock();
  const store = new KvLogStore({ backend, clock, rng: seededRng(1) });
  const axon = await store.createAxon({ name: "pages", labels: {} });
  for (const events of appends) {
    clock.advance(1);
    await store.append(axon.id, events);
  }
  return { backend, store, axonId: axon.id, head: appends.reduce((n, a) => n + a.length, 0) };
}

/** The size readChunkPage counts for an event: its text in UTF-8 plus eventSize's overhead. */
const utf8Size = (e: EventInput) =>
  Buffer.byteLength(e.source) + Buffer.byteLength(e.eventType) + Buffer.byteLength(e.payload) + 32;

describe("KvLogStore.readChunkPage", () => {
  it("holds the events read() returns, and stops only at the limit, the byte budget or the head", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(event, { minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 12 }),
        fc.nat(),
        fc.integer({ min: 1, max: 400 }),
        fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.integer({ min: 1, max: 4000 })),
        async (appends, start, limit, maxBytes) => {
          const { store, axonId, head } = await axonOf(appends);
          const afterSequence = start % (head + 1);
          const page = await store.readChunkPage(axonId, { afterSequence, limit, maxBytes });
          const all = await store.read(axonId, { afterSequence, limit });
          const events = chunkPageEvents(page);
          expect(events).toEqual(all.slice(0, page.count));
          expect(page.count).toBe(events.length);
          expect(page.lastSequence).toBe(page.count === 0 ? 0 : afterSequence + page.count);
          expect(page.bytes).toBe(events.reduce((n, e) => n + utf8Size(e), 0));
          // Every slice is a run inside its chunk, and the slices follow one another.
          let next = afterSequence + 1;
          for (const slice of page.slices) {
            expect(slice.from).toBe(next);
            const cursor = new ChunkCursor(slice.chunk);
            const sequences: number[] = [];
            while (cursor.next()) sequences.push(cursor.sequence);
            expect(sequences).toContain(slice.from);
            expect(sequences).toContain(slice.to);
            next = slice.to + 1;
          }
          if (page.count < all.length) {
            // It stopped early: only because the budget was spent, and not before its last event.
            expect(page.bytes).toBeGreaterThanOrEqual(maxBytes);
            expect(page.bytes - utf8Size(events.at(-1)!)).toBeLessThan(maxBytes);
          } else {
            expect(page.count).toBe(Math.min(limit, head - afterSequence));
          }
          await store.close();
        },
      ),
      { numRuns: 150 },
    );
  });

  it("refuses what read() refuses: an unknown axon, and a damaged chunk, by the same error", async () => {
    const { backend, store, axonId } = await axonOf([
      [{ origin: Origin.User, source: "t", eventType: "e", payload: '{"n":1}' }],
      [{ origin: Origin.User, source: "t", eventType: "e", payload: '{"n":2}' }],
    ]);
    await expect(store.readChunkPage("axn_missing", { afterSequence: 0, limit: 10 })).rejects.toBeInstanceOf(
      AxonNotFoundError,
    );
    const [key, chunk] = [...backend.snapshot()].find(([k]) => k.startsWith(`e!${axonId}!`))!;
    const damaged = Uint8Array.from(chunk);
    damaged[damaged.length - 2]! ^= 0x01;
    backend.apply([{ type: "put", key, value: damaged }]);
    const read = await store.read(axonId, { afterSequence: 0, limit: 10 }).catch((e: unknown) => e);
    const paged = await store.readChunkPage(axonId, { afterSequence: 0, limit: 10 }).catch((e: unknown) => e);
    expect(read).toBeInstanceOf(StoreCorruptionError);
    expect(paged).toBeInstanceOf(StoreCorruptionError);
    expect((paged as Error).message).toBe((read as Error).message);
    await store.close();
  });
});
