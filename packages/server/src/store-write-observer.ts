import { performance } from "node:perf_hooks";
import type { StoreObserver } from "@openaxon/store";
import type { Logger } from "pino";
import type { ServerMetrics } from "./metrics.js";
import { outsideAnyRequest } from "./request-context.js";

/** A durable write slower than this is worth a warning: every publish in it waited that long. */
export const SLOW_WRITE_SECONDS = 1;

/**
 * The store's durable writes into openaxon_store_fsync_duration_seconds and the group commit size
 * histograms, with a warning for slow or failed writes. A group commit serves many calls at once, so
 * its lines carry no request id (see request-context.ts). Each append gets a debug line in its
 * caller's context: with a request id, it says which sequences that call got.
 */
export function storeWriteObserver(metrics: ServerMetrics, logger: Logger): StoreObserver {
  return {
    appended(axonId, result, events) {
      if (!logger.isLevelEnabled("debug")) return;
      const { firstSequence, lastSequence, duplicate } = result;
      logger.debug(
        { component: "store", axonId, firstSequence, lastSequence, events, duplicate },
        "appended",
      );
    },
    watcherFailed(axonId, error) {
      outsideAnyRequest(() =>
        logger.error(
          { component: "store", axonId, err: error },
          "a live subscriber's handler failed on new events",
        ),
      );
    },
    writeStarted(write) {
      const started = performance.now();
      metrics.groupCommitCommits.observe(write.commits);
      metrics.groupCommitEvents.observe(write.events);
      return (error) => {
        const seconds = (performance.now() - started) / 1000;
        metrics.storeFsyncDuration.observe(seconds);
        if (error !== undefined) {
          metrics.storeWriteFailures.inc();
          outsideAnyRequest(() =>
            logger.error({ component: "store", err: error, ...write, seconds }, "durable write failed"),
          );
        } else if (seconds >= SLOW_WRITE_SECONDS) {
          outsideAnyRequest(() =>
            logger.warn({ component: "store", ...write, seconds }, "slow durable write (fsync)"),
          );
        }
      };
    },
  };
}
