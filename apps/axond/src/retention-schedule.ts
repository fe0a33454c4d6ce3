import type { LogStore } from "@openaxon/store";
import type { Logger } from "pino";

export interface RetentionSchedule {
  /** Stops scheduling and waits for a pass in progress. */
  stop(): Promise<void>;
}

/**
 * Runs the store's retention pass every `intervalMs` (the store starts no timers itself): trims
 * axons to their retention and frees deleted axons' disk. Passes never overlap: the next is
 * scheduled when one ends. A failed pass is logged and the next one tries again.
 */
export function scheduleRetention(options: {
  readonly store: Pick<LogStore, "applyRetention">;
  readonly intervalMs: number;
  readonly logger: Logger;
}): RetentionSchedule {
  const { store, intervalMs, logger } = options;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runPass().finally(schedule);
    }, intervalMs);
    // A pending pass never keeps the process alive on its own.
    timer.unref();
  };
  const runPass = async () => {
    try {
      const report = await store.applyRetention();
      if (report.eventsTrimmed > 0 || report.axonsPurged > 0) {
        logger.info(
          { component: "retention", ...report },
          "retention pass trimmed axons or freed deleted ones",
        );
      } else {
        logger.debug({ component: "retention", ...report }, "retention pass: nothing to trim");
      }
    } catch (error) {
      if (stopped) return;
      logger.warn({ component: "retention", err: error }, "retention pass failed; the next one retries");
    }
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
