import { catchUpThenLive, type LogStore } from "@openaxon/store";
import type { AxonLink } from "./axon-link.js";

/** The in-process AxonLink: straight onto a LogStore, following with `catchUpThenLive`. */
export function logStoreAxonLink(store: LogStore): AxonLink {
  return {
    async publish(axonId, event, options) {
      const result = await store.append(axonId, [event], options);
      return { sequence: result.firstSequence, duplicate: result.duplicate };
    },
    read: (axonId, options) => store.read(axonId, options),
    async *follow(axonId, afterSequence, signal) {
      for await (const item of catchUpThenLive(store, axonId, { afterSequence, signal })) {
        if (item.kind === "events") yield* item.events;
      }
    },
  };
}
