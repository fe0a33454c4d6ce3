import { requestLogFields } from "@openaxon/server";
import { pino } from "pino";
import pinoPretty from "pino-pretty";
import type { LogLevel } from "./config.js";

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Human-readable lines (for a terminal) instead of JSON (for log collectors). */
  readonly pretty: boolean;
}

/**
 * Structured logs on stderr; stdout stays for the one "listening on" line scripts parse.
 * Writes are synchronous so the last lines before an exit (a crash, a forced shutdown) are not lost.
 * Lines logged while serving a call carry its request id (`requestId`, echoed as `x-request-id`).
 */
export function createLogger(options: LoggerOptions): pino.Logger {
  // requestLogFields: every line written while serving a call carries its `requestId`.
  const base = { level: options.level, base: { service: "axond" }, mixin: requestLogFields };
  if (options.pretty) {
    return pino(
      base,
      pinoPretty({
        destination: 2,
        sync: true,
        colorize: true,
        translateTime: "SYS:HH:MM:ss.l",
        ignore: "pid,hostname,service",
        singleLine: true,
      }),
    );
  }
  return pino(base, pino.destination({ dest: 2, sync: true }));
}
