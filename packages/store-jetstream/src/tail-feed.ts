import {
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
} from "@nats-io/jetstream";
import { type CommitInfo, decodeCommitInfo } from "./commit-headers.js";

export type CommitListener = (
  axonSubject: string,
  streamSeq: number,
  info: CommitInfo,
  body: Uint8Array,
) => void;

/**
 * Every commit to every axon, from the moment the feed starts, in stream order: one ordered
 * consumer on the whole events stream, starting right after the stream's last message when the
 * feed opened (so nothing committed after `start` resolves is missed, however late the consumer
 * is created on the server). The ordered consumer recreates itself after a node loss from the
 * last sequence it delivered. It carries bodies so watchers get events without another round
 * trip; the cost is that each axond node receives every axon's writes (see README: a node that
 * follows few axons would rather run headers-only and fetch bodies of watched axons).
 */
export class TailFeed {
  private constructor(
    private readonly messages: ConsumerMessages,
    readonly done: Promise<void>,
  ) {}

  static async start(
    js: JetStreamClient,
    jsm: JetStreamManager,
    stream: string,
    filter: string,
    listener: CommitListener,
  ): Promise<TailFeed> {
    const { state } = await jsm.streams.info(stream);
    const consumer = await js.consumers.get(stream, {
      filter_subjects: filter,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: state.last_seq + 1,
    });
    const messages = await consumer.consume({ max_messages: 256 });
    const done = (async () => {
      for await (const m of messages) {
        const info = decodeCommitInfo(m.headers);
        if (info) listener(m.subject, m.seq, info, m.data);
      }
    })();
    return new TailFeed(messages, done);
  }

  async close(): Promise<void> {
    await this.messages.close();
    await this.done.catch(() => {});
  }
}
