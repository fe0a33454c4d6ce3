import { Code, ConnectError } from "@connectrpc/connect";
import { backoffDelay, type RetryOptions, resolveRetryOptions } from "./backoff.js";
import { originValue, toUint64 } from "./convert.js";
import { asEventsTrimmed, isRetryableError } from "./errors.js";
import type { OpenSubscribeFrames } from "./subscribe-frames.js";
import type { Timers } from "./timers.js";
import type { AxonEvent, OriginName } from "./types.js";

export interface SubscribeOptions {
  /** Deliver events with sequence > afterSequence; 0 (the default) replays from the start. */
  readonly afterSequence?: number;
  /** Only these event types (all when empty). */
  readonly eventTypes?: readonly string[];
  /** Only these origins (all when empty). */
  readonly origins?: readonly OriginName[];
  /** Aborting ends the iteration quietly (the loop simply finishes). */
  readonly signal?: AbortSignal;
  /** The replay reached the head; what follows is live. Called again after each reconnect. */
  readonly onCaughtUp?: (info: { headSequence: number; lastSequence: number }) => void;
  /** The server dropped this subscriber back to storage reads; delivery continues without loss. */
  readonly onFellBehind?: (info: { lastSequence: number; headSequence: number }) => void;
  /** A retryable error ended the stream; the subscription reconnects after `delayMs`. */
  readonly onReconnect?: (info: ReconnectInfo) => void;
  /** Overrides the client's retry options for this subscription. */
  readonly retry?: RetryOptions;
  /**
   * Reconnect when the stream delivers nothing — not even a heartbeat — for this long: a
   * half-open connection (a laptop waking up, a NAT dropping state) otherwise stalls forever.
   * Default 60 s, four heartbeats of a default server; 0 disables the watchdog.
   */
  readonly idleTimeoutMs?: number;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

export interface SubscribeDefaults {
  readonly retry: RetryOptions | undefined;
  readonly timers: Timers;
}

export interface ReconnectInfo {
  /** 1 for the first retry after a failure; reset once a stream delivers anything. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: ConnectError;
  /** The sequence the next attempt resumes after: the last one delivered. */
  readonly afterSequence: number;
}

/**
 * Follows an axon across disconnects. Each attempt asks the server for events after the last
 * sequence this iterator delivered, so a reconnect neither repeats nor skips an event; anything at
 * or below that sequence is dropped anyway, in case a server misbehaves.
 */
export async function* subscribeResilient(
  openFrames: OpenSubscribeFrames,
  axonId: string,
  options: SubscribeOptions,
  defaults: SubscribeDefaults,
): AsyncGenerator<AxonEvent, void, undefined> {
  const retry = resolveRetryOptions(defaults.timers, defaults.retry, options.retry);
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const signal = options.signal;
  const request = {
    axonId,
    eventTypes: [...(options.eventTypes ?? [])],
    origins: (options.origins ?? []).map(originValue),
  };
  let cursor = options.afterSequence ?? 0;
  toUint64(cursor, "afterSequence");
  let failures = 0;

  while (!signal?.aborted) {
    // One controller per attempt: it is aborted on every exit (error, consumer `break`, user
    // abort), which releases the HTTP stream.
    const attempt = new AbortController();
    const forwardAbort = () => attempt.abort(signal?.reason);
    signal?.addEventListener("abort", forwardAbort, { once: true });
    const watchdog = new IdleWatchdog(defaults.timers, idleTimeoutMs, () =>
      attempt.abort(
        new ConnectError(
          `no data or heartbeat from the server for ${idleTimeoutMs} ms`,
          Code.DeadlineExceeded,
        ),
      ),
    );
    let failure: unknown;
    try {
      const frames = openFrames(
        { ...request, afterSequence: toUint64(cursor, "afterSequence") },
        attempt.signal,
      );
      for await (const frame of frames) {
        // Only time spent waiting on the network counts; a slow consumer is not a dead connection.
        watchdog.stop();
        failures = 0;
        if (frame.kind === "events") {
          for (const event of frame.events) {
            if (event.sequence <= cursor) continue;
            cursor = event.sequence;
            yield event;
            if (signal?.aborted) return;
          }
        } else if (frame.kind === "caughtUp") {
          options.onCaughtUp?.({ headSequence: frame.headSequence, lastSequence: cursor });
        } else if (frame.kind === "fellBehind") {
          options.onFellBehind?.({ lastSequence: frame.lastSequence, headSequence: frame.headSequence });
        }
        if (signal?.aborted) return;
        watchdog.reset();
      }
      // A subscription never ends by itself; a clean end means the server went away (graceful
      // shutdown), so it is retried like a dropped connection.
      failure = new ConnectError("subscription stream ended by the server", Code.Unavailable);
    } catch (error) {
      failure = error;
    } finally {
      watchdog.stop();
      signal?.removeEventListener("abort", forwardAbort);
      attempt.abort();
    }
    if (signal?.aborted) return;
    // OUT_OF_RANGE (trimmed events) is never retried: it surfaces as EventsTrimmedError.
    if (!isRetryableError(failure)) throw asEventsTrimmed(failure);
    failures++;
    if (failures > retry.maxAttempts) throw failure;
    const delayMs = backoffDelay(failures, retry);
    options.onReconnect?.({
      attempt: failures,
      delayMs,
      error: failure as ConnectError,
      afterSequence: cursor,
    });
    try {
      await retry.sleep(delayMs, signal);
    } catch (error) {
      if (signal?.aborted) return;
      throw error;
    }
  }
}

/** Fires once when `timeoutMs` pass after the last `reset` without a `stop`. */
class IdleWatchdog {
  private timer: { cancel(): void } | undefined;

  constructor(
    private readonly timers: Timers,
    private readonly timeoutMs: number,
    private readonly onIdle: () => void,
  ) {
    this.reset();
  }

  reset(): void {
    this.timer?.cancel();
    this.timer = this.timeoutMs > 0 ? this.timers.setTimer(this.timeoutMs, this.onIdle) : undefined;
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
}
