import { type ConsumerMessages, DeliverPolicy, type JetStreamClient } from "@nats-io/jetstream";
import { type Clock, sleep } from "@openaxon/core";
import { type CommitInfo, decodeCommitInfo } from "./commit-headers.js";
import { isStreamNotFound } from "./stream-not-found.js";

export type CommitListener = (streamSeq: number, info: CommitInfo, body: Uint8Array) => void;

export interface AxonFeedOptions {
  readonly clock: Clock;
  /**
   * The server sends a heartbeat this often while the feed is idle; three periods with nothing
   * and the feed follows again. Kept within 500 ms (nats.js's floor) and 15 s (half a pull's 30 s
   * expiry, the server's ceiling).
   */
  readonly heartbeatMs: number;
  /** Told when the feed follows again from a new consumer, and why. */
  readonly onRestart?: (reason: unknown) => void;
  /**
   * Asked when the cluster says the stream is not found: is the axon really gone? The cluster has
   * said so wrongly during leader changes; the feed ends only on a yes (default: yes).
   */
  readonly confirmGone?: () => Promise<boolean>;
}

export const MIN_FEED_HEARTBEAT_MS = 500;
export const MAX_FEED_HEARTBEAT_MS = 15_000;
/** Longest pause between attempts to follow again while the cluster cannot serve a consumer. */
const MAX_RETRY_MS = 5000;

/**
 * One axon's commits as they land, in order: an ordered consumer on the axon's stream from
 * `fromStreamSeq`. Runs while the axon has watchers on this node, so a node receives only the
 * axons it serves.
 *
 * The consumer is R1. nats.js recreates it when the server says it is gone, but if its node dies
 * the server says "offline" and nats.js asks again for ever; the feed sees its heartbeats stop,
 * drops that consumer and follows again from the next stream sequence on a new one. It ends when
 * closed or when the axon's stream is gone (the axon was deleted).
 */
export class AxonFeed {
  private messages: ConsumerMessages | undefined;
  private nextStreamSeq: number;
  private readonly heartbeatMs: number;
  private readonly stopping = new AbortController();
  private readonly done: Promise<void>;

  /** Starts following at once; a first consumer that cannot be made yet is retried like a restart. */
  constructor(
    private readonly js: JetStreamClient,
    private readonly stream: string,
    fromStreamSeq: number,
    private readonly listener: CommitListener,
    private readonly options: AxonFeedOptions,
  ) {
    this.nextStreamSeq = fromStreamSeq;
    this.heartbeatMs = Math.min(MAX_FEED_HEARTBEAT_MS, Math.max(MIN_FEED_HEARTBEAT_MS, options.heartbeatMs));
    this.done = this.run().catch((error) => this.tell(error));
  }

  /** Resolves when the feed has stopped for good: closed, or its stream is gone. */
  get finished(): Promise<void> {
    return this.done;
  }

  async close(): Promise<void> {
    this.stopping.abort();
    // stop(), not close(): close() waits for the iterator to run, and a consumer made while
    // closing was never iterated, so it would wait for ever.
    this.messages?.stop();
    await this.done;
  }

  private async run(): Promise<void> {
    for (let failures = 0; !this.stopping.signal.aborted; ) {
      let heard = false;
      try {
        const messages = await consume(this.js, this.stream, this.nextStreamSeq, this.heartbeatMs);
        this.messages = messages;
        // Closed while this consumer was being made: close() could not see it.
        if (this.stopping.signal.aborted) {
          messages.stop();
          return;
        }
        const ended = await this.follow(messages);
        if (this.stopping.signal.aborted) return;
        heard = ended.heard;
        this.tell(ended.reason);
      } catch (error) {
        if (isStreamNotFound(error) && (await this.confirmGone())) return;
        this.tell(error);
      }
      // A consumer that delivered or heartbeat was healthy for a while: follow again at once.
      // One that never did (or could not be made) is retried with a growing pause.
      failures = heard ? 0 : failures + 1;
      if (failures > 0) {
        const pause = Math.min(MAX_RETRY_MS, 50 * 2 ** Math.min(failures, 7));
        await sleep(this.options.clock, pause, this.stopping.signal).catch(() => {});
      }
    }
  }

  /**
   * Delivers until the consumer ends or goes quiet: no message and no heartbeat for three
   * heartbeat periods. Says why it ended, and whether it heard anything. (nats.js's own
   * missed-heartbeat signal is not enough: after a reconnect it stops watching until the consumer
   * answers, which a dead node never does.)
   */
  private async follow(messages: ConsumerMessages): Promise<{ reason: unknown; heard: boolean }> {
    const quietMs = 3 * this.heartbeatMs;
    let reason: unknown = new Error(`${this.stream}: the consumer ended`);
    let heardEver = false;
    let heard = false;
    const check = () => {
      if (!heard) {
        reason = new Error(`${this.stream}: no message or heartbeat for ${quietMs} ms`);
        messages.stop();
        return;
      }
      heard = false;
      watchdog = this.options.clock.setTimer(quietMs, check);
    };
    let watchdog = this.options.clock.setTimer(quietMs, check);
    void (async () => {
      for await (const status of messages.status()) {
        if (status.type === "heartbeat") heard = heardEver = true;
      }
    })().catch(() => {});
    try {
      for await (const m of messages) {
        heard = heardEver = true;
        this.nextStreamSeq = m.seq + 1;
        const info = decodeCommitInfo(m.headers);
        if (info) this.listener(m.seq, info, m.data);
      }
    } catch (error) {
      reason = error;
    } finally {
      watchdog.cancel();
      messages.stop();
    }
    return { reason, heard: heardEver };
  }

  private async confirmGone(): Promise<boolean> {
    if (!this.options.confirmGone) return true;
    return this.options.confirmGone().catch(() => false);
  }

  private tell(reason: unknown): void {
    try {
      this.options.onRestart?.(reason);
    } catch {
      // A warning hook that throws must not stop the feed.
    }
  }
}

function consume(
  js: JetStreamClient,
  stream: string,
  fromStreamSeq: number,
  heartbeatMs: number,
): Promise<ConsumerMessages> {
  return js.consumers
    .get(stream, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Math.max(1, fromStreamSeq) })
    .then((consumer) => consumer.consume({ max_messages: 256, idle_heartbeat: heartbeatMs }));
}
