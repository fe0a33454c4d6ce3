import { seededRng } from "@openaxon/core";
import { KvLogStore, MemoryBackend } from "@openaxon/store";
import fc from "fast-check";
import { expect, it } from "vitest";
import { eventsOnDisk, retainedOnDisk } from "./log-oracle.js";
import { SimClock } from "./sim-clock.js";

it("reads back exactly what the production store wrote (an independent decoder of its disk format)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({
          origin: fc.constantFrom(1 as const, 2 as const, 3 as const, 4 as const),
          source: fc.string({ maxLength: 8 }),
          eventType: fc.stringMatching(/^[a-z.]{1,12}$/),
          payload: fc.json(),
        }),
        { minLength: 1, maxLength: 8 },
      ),
      async (events) => {
        const backend = new MemoryBackend();
        const store = new KvLogStore({ backend, clock: new SimClock(), rng: seededRng(1) });
        const { id } = await store.createAxon({ name: "o", labels: {} });
        await store.append(id, events);
        const onDisk = eventsOnDisk(backend).get(id) ?? [];
        expect(onDisk.map(({ keySequence, ...e }) => e)).toEqual(
          events.map((e, i) => ({ sequence: i + 1, ...e })),
        );
        expect(onDisk.every((e) => e.keySequence === e.sequence)).toBe(true);
      },
    ),
    { numRuns: 50 },
  );
});

it("holds an axon to first..head after the production store's retention trims it", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 6 }),
      fc.integer({ min: 1, max: 6 }),
      async (appends, maxEvents) => {
        const backend = new MemoryBackend();
        const store = new KvLogStore({ backend, clock: new SimClock(), rng: seededRng(1) });
        const { id } = await store.createAxon({ name: "o", labels: {}, retention: { maxEvents } });
        for (const [i, count] of appends.entries()) {
          const events = Array.from({ length: count }, (_, k) => ({
            origin: 1 as const,
            source: "s",
            eventType: "note",
            payload: `${i}.${k}`,
          }));
          await store.append(id, events);
          await store.applyRetention();
        }
        const axon = await store.getAxon(id);
        const log = retainedOnDisk(backend).get(id)!;
        // Chunks that straddle the line keep trimmed events on disk; the oracle does not count them.
        expect({ first: log.first, head: log.head }).toEqual({
          first: axon!.firstSequence,
          head: axon!.headSequence,
        });
        const read = await store.read(id, { afterSequence: 0, limit: 100 });
        expect(log.events.map((e) => [e.sequence, e.payload])).toEqual(
          read.map((e) => [e.sequence, e.payload]),
        );
      },
    ),
    { numRuns: 50 },
  );
});
