import { seededRng } from "@openaxon/core";
import { ManualClock } from "@openaxon/core/testing";
import { catchUpThenLive, KvLogStore, MemoryBackend, type StoredEvent } from "@openaxon/store";
import type { AxonLink } from "../axon-link.js";
import { Origin } from "../axon-link.js";
import { logStoreAxonLink } from "../log-store-axon-link.js";

/** A real KvLogStore on memory, one axon, and helpers to talk to it like a user would. */
export async function axonFixture(seed = 1) {
  const clock = new ManualClock();
  const store = new KvLogStore({ backend: new MemoryBackend(), clock, rng: seededRng(seed) });
  const axon = await store.createAxon({ name: "test", labels: {} });
  const link: AxonLink = logStoreAxonLink(store);
  const axonId = axon.id;

  const publish = async (
    eventType: string,
    payload: unknown,
    origin: number = Origin.User,
    source = "test",
  ) => {
    const result = await store.append(axonId, [
      { origin: origin as 1 | 2 | 3 | 4, source, eventType, payload: JSON.stringify(payload) },
    ]);
    return result.firstSequence;
  };

  const events = () => store.read(axonId, { afterSequence: 0, limit: 100_000 });

  /** Resolves with the first event (from the start of the axon) matching `predicate`. */
  const waitFor = async (predicate: (event: StoredEvent) => boolean): Promise<StoredEvent> => {
    const controller = new AbortController();
    try {
      for await (const item of catchUpThenLive(store, axonId, {
        afterSequence: 0,
        signal: controller.signal,
      })) {
        if (item.kind !== "events") continue;
        const found = item.events.find(predicate);
        if (found) return found;
      }
    } finally {
      controller.abort();
    }
    throw new Error("follow ended");
  };

  /** Waits for the terminal event of a turn. */
  const turnEnd = (turnId: string) =>
    waitFor(
      (e) =>
        (e.eventType === "turn.completed" || e.eventType === "turn.failed") &&
        JSON.parse(e.payload).turn_id === turnId,
    );

  /** The broker-side view of the log: [eventType, origin, payload] without sequences or times. */
  const transcript = async () =>
    (await events()).map((e) => ({ type: e.eventType, origin: e.origin, payload: JSON.parse(e.payload) }));

  return { clock, store, axonId, link, publish, events, waitFor, turnEnd, transcript };
}

export type AxonFixture = Awaited<ReturnType<typeof axonFixture>>;

/** Lets every pending promise chain run (the memory store answers in microtasks). */
export async function settle(rounds = 20): Promise<void> {
  // biome-ignore lint/style/noRestrictedGlobals: test support waits on the real event loop, not on time.
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}
