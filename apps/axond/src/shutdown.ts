import type { Logger } from "pino";

/** The parts of `process` shutdown handling needs; tests pass an EventEmitter. */
export interface ProcessLike {
  on(event: "SIGINT" | "SIGTERM", listener: (signal: NodeJS.Signals) => void): unknown;
  on(event: "uncaughtException", listener: (error: Error) => void): unknown;
  on(event: "unhandledRejection", listener: (reason: unknown) => void): unknown;
}

export interface ShutdownOptions {
  readonly process: ProcessLike;
  readonly logger: Logger;
  /** Stops serving and flushes storage; resolves once it is safe to exit. */
  readonly stop: () => Promise<void>;
  readonly exit: (code: number) => void;
}

/**
 * SIGINT/SIGTERM stop gracefully and exit 0 (1 if stopping fails); a second signal while stopping
 * exits at once, for an operator who does not want to wait for streams to drain. An uncaught
 * error is logged and exits 1: the process state is unknown, and acknowledged events are already
 * durable, so dying is safe.
 */
export function handleShutdown(options: ShutdownOptions): void {
  const { logger, exit } = options;
  let stopping = false;

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, "second signal, exiting without finishing shutdown");
      exit(1);
      return;
    }
    stopping = true;
    logger.info({ signal }, "shutting down");
    options.stop().then(
      () => {
        logger.info("shutdown complete");
        exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        exit(1);
      },
    );
  };

  options.process.on("SIGINT", onSignal);
  options.process.on("SIGTERM", onSignal);
  options.process.on("uncaughtException", (error) => {
    logger.fatal({ err: error }, "uncaught exception");
    exit(1);
  });
  options.process.on("unhandledRejection", (reason) => {
    logger.fatal({ err: reason }, "unhandled promise rejection");
    exit(1);
  });
}
