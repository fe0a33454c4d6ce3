import { seededRng } from "@openaxon/core";
import { KvLogStore, MemoryBackend } from "@openaxon/store";
import fc from "fast-check";
import { expect, it } from "vitest";
import { eventsOnDisk } from "./log-oracle.js";
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
