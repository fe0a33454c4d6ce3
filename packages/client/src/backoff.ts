import { sleepOn, type Timers } from "./timers.js";

/** How a subscription waits between reconnect attempts. Every field is optional. */
export interface RetryOptions {
  /** Delay ceiling of the first retry (default 250 ms); it doubles per consecutive failure. */
  readonly initialDelayMs?: number;
  /** Upper bound of the delay ceiling (default 10 s). */
  readonly maxDelayMs?: number;
  /**
   * Consecutive failed attempts (without receiving anything in between) after which the last
   * error is thrown. Default: retry forever.
   */
  readonly maxAttempts?: number;
  /** Waits `ms`; resolves (or rejects) early when `signal` aborts. Default: the client's timers. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Uniform in [0, 1); inject for reproducible jitter. */
  readonly random?: () => number;
}

export interface ResolvedRetryOptions {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxAttempts: number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random: () => number;
}

/** Later layers win; the default sleep waits on `timers`. */
export function resolveRetryOptions(
  timers: Timers,
  ...layers: (RetryOptions | undefined)[]
): ResolvedRetryOptions {
  const merged = Object.assign({}, ...layers.filter(Boolean)) as RetryOptions;
  return {
    initialDelayMs: merged.initialDelayMs ?? 250,
    maxDelayMs: merged.maxDelayMs ?? 10_000,
    maxAttempts: merged.maxAttempts ?? Number.POSITIVE_INFINITY,
    sleep: merged.sleep ?? ((ms, signal) => sleepOn(timers, ms, signal)),
    random: merged.random ?? Math.random,
  };
}

/**
 * Exponential backoff with "equal jitter": the ceiling doubles per attempt up to maxDelayMs and the
 * delay is uniform in [ceiling/2, ceiling). Half is fixed so a reconnect storm still spreads out
 * but never retries instantly; half is random so many clients don't reconnect in lockstep.
 */
export function backoffDelay(attempt: number, options: ResolvedRetryOptions): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** exponent);
  return Math.round(ceiling / 2 + options.random() * (ceiling / 2));
}
