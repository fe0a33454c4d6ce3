import { type ServerMetrics, turnOutcomeOf } from "@openaxon/server";
import type { LogStore } from "@openaxon/store";
import type { Logger } from "pino";

/**
 * The store with turns counted as their terminal events are appended (openaxon_turns_total) and one
 * line per ended turn. axond hands this store to everything (runtimes, gateway audit, server), so the
 * broker's `turn.completed` / `turn.failed` are seen whichever store is underneath (embedded or
 * JetStream); a duplicate append (a retried end, two brokers racing) counts nothing.
 */
export function countingTurnOutcomes<S extends LogStore>(
  store: S,
  metrics: ServerMetrics,
  logger: Logger,
): S {
  const append: LogStore["append"] = async (axonId, events, options) => {
    const result = await store.append(axonId, events, options);
    if (!result.duplicate) {
      for (const event of events) {
        const ended = turnOutcomeOf(event);
        if (ended === undefined) continue;
        metrics.turns.inc({ outcome: ended.outcome, stop_reason: ended.stopReason });
        // The turn id is `turn_<trigger sequence>`: the line ties the turn to the event that began it.
        logger.info({ component: "broker", axonId, ...ended }, "turn ended");
      }
    }
    return result;
  };
  return new Proxy(store, {
    get(target, property) {
      if (property === "append") return append;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
