import type { LogStore } from "@openaxon/store";
import type { ServerMetrics } from "./metrics.js";

/**
 * The store as the RPC handlers see it, with appends, creations and deletions counted and append
 * latency observed. Every other method is the store's own, bound once (not per call).
 */
export function meteredStore(store: LogStore, metrics: ServerMetrics): LogStore {
  const overrides: Partial<LogStore> = {
    async append(axonId, events, options) {
      const stopTimer = metrics.publishDuration.startTimer();
      try {
        const result = await store.append(axonId, events, options);
        stopTimer();
        metrics.publishes.inc();
        metrics.publishedEvents.inc(events.length);
        return result;
      } catch (error) {
        metrics.publishFailures.inc();
        throw error;
      }
    },
    async createAxon(input) {
      const axon = await store.createAxon(input);
      metrics.axonsCreated.inc();
      return axon;
    },
    async deleteAxon(id) {
      const deleted = await store.deleteAxon(id);
      if (deleted) metrics.axonsDeleted.inc();
      return deleted;
    },
  };
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, property) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof LogStore];
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      let fn = bound.get(property);
      if (fn === undefined) {
        fn = (value as (...args: unknown[]) => unknown).bind(target);
        bound.set(property, fn);
      }
      return fn;
    },
  });
}
