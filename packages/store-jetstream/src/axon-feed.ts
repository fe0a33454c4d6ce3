import { type ConsumerMessages, DeliverPolicy, type JetStreamClient } from "@nats-io/jetstream";
import { type CommitInfo, decodeCommitInfo } from "./commit-headers.js";

export type CommitListener = (streamSeq: number, info: CommitInfo, body: Uint8Array) => void;

/**
 * One axon's commits as they land, in order: an ordered consumer on the axon's stream from
 * `fromStreamSeq` (which recreates itself after a node loss from the last sequence it delivered).
 * Runs while the axon has watchers on this node, so a node receives only the axons it serves.
 */
export class AxonFeed {
  private constructor(
    private readonly messages: ConsumerMessages,
    private readonly done: Promise<void>,
  ) {}

  static async start(
    js: JetStreamClient,
    stream: string,
    fromStreamSeq: number,
    listener: CommitListener,
  ): Promise<AxonFeed> {
    const consumer = await js.consumers.get(stream, {
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: Math.max(1, fromStreamSeq),
    });
    const messages = await consumer.consume({ max_messages: 256 });
    const done = (async () => {
      for await (const m of messages) {
        const info = decodeCommitInfo(m.headers);
        if (info) listener(m.seq, info, m.data);
      }
    })();
    return new AxonFeed(messages, done);
  }

  async close(): Promise<void> {
    await this.messages.close();
    await this.done.catch(() => {});
  }
}
