import { type ConsumerMessages, DeliverPolicy, type JetStreamClient } from "@nats-io/jetstream";
import { type Clock, sleep } from "@openaxon/core";
import { type CommitInfo, decodeCommitInfo } from "./commit-headers.js";

export type CommitListener = (streamSeq: number, info: CommitInfo, body: Uint8Array) => void;

export interface AxonFeedOptions {
  readonly clock: Clock;
  /** The server sends a heartbeat this often while the feed is idle; three missed restart it. */
  readonly heartbeatMs: number;
  /** Told when the feed follows again from a new consumer, and why. */
  readonly onRestart?: (reason: unknown) => void;
}

/** Longest pause between attempts to follow again while the cluster cannot make a consumer. */
const MAX_RETRY_MS = 5000;

/**
 * One axon's commits as they land, in order: an ordered consumer on the axon's stream from
 * `fromStreamSeq`. Runs while the axon has watchers on this node, so a node receives only the
 * axons it serves.
 *
 * The consumer is R1. nats.js recreates it when the server says it is gone, but if its node dies
 * the server says "offline" and nats.js asks again for ever; the feed sees its heartbeats stop,
 * drops that consumer and follows again from the next stream sequence on a new one.
 */
export class AxonFeed {
  private messages: ConsumerMessages;
  private nextStreamSeq: number;
  private readonly stopping = new AbortController();
  private done: Promise<void> = Promise.resolve();

  private constructor(
    private readonly js: JetStreamClient,
    private readonly stream: string,
    private readonly listener: CommitListener,
    private readonly options: AxonFeedOptions,
    first: ConsumerMessages,
    fromStreamSeq: number,
  ) {
    this.messages = first;
    this.nextStreamSeq = fromStreamSeq;
  }

  /** Resolves once the first consumer exists; rejects if it cannot be made. */
  static async start(
    js: JetStreamClient,
    stream: string,
    fromStreamSeq: number,
    listener: CommitListener,
    options: AxonFeedOptions,
  ): Promise<AxonFeed> {
    const first = await consume(js, stream, fromStreamSeq, options.heartbeatMs);
    const feed = new AxonFeed(js, stream, listener, options, first, fromStreamSeq);
    feed.done = feed.run();
    return feed;
  }

  async close(): Promise<void> {
    this.stopping.abort();
    await this.messages.close().catch(() => {});
    await this.done;
  }

  private async run(): Promise<void> {
    let messages: ConsumerMessages | undefined = this.messages;
    for (let failures = 0; !this.stopping.signal.aborted; ) {
      if (messages) {
        const reason = await this.follow(messages);
        if (this.stopping.signal.aborted) return;
        this.options.onRestart?.(reason);
        messages = undefined;
      }
      try {
        messages = await consume(this.js, this.stream, this.nextStreamSeq, this.options.heartbeatMs);
        this.messages = messages;
        failures = 0;
        // Closed while this consumer was being made: close() could not see it.
        if (this.stopping.signal.aborted) await messages.close().catch(() => {});
      } catch (error) {
        failures++;
        this.options.onRestart?.(error);
        const pause = Math.min(MAX_RETRY_MS, 50 * 2 ** Math.min(failures, 7));
        await sleep(this.options.clock, pause, this.stopping.signal).catch(() => {});
      }
    }
  }

  /**
   * Delivers until the consumer ends or goes quiet: no message and no heartbeat for three
   * heartbeat periods. Says why it ended. (nats.js's own missed-heartbeat signal is not enough:
   * after a reconnect it stops watching until the consumer answers, which a dead node never does.)
   */
  private async follow(messages: ConsumerMessages): Promise<unknown> {
    const quietMs = 3 * this.options.heartbeatMs;
    let reason: unknown = new Error(`${this.stream}: the consumer ended`);
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
      for await (const status of messages.status()) if (status.type === "heartbeat") heard = true;
    })().catch(() => {});
    try {
      for await (const m of messages) {
        heard = true;
        this.nextStreamSeq = m.seq + 1;
        const info = decodeCommitInfo(m.headers);
        if (info) this.listener(m.seq, info, m.data);
      }
    } catch (error) {
      reason = error;
    } finally {
      watchdog.cancel();
    }
    await messages.close().catch(() => {});
    return reason;
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
