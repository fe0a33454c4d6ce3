import { DeliverPolicy, type JetStreamClient } from "@nats-io/jetstream";
import { type CommitInfo, decodeCommitInfo } from "./commit-headers.js";

export interface ScannedCommit {
  readonly streamSeq: number;
  readonly info: CommitInfo | undefined;
}

/**
 * Walks one subject's messages from stream sequence `fromStreamSeq`, headers only (bodies stay on
 * the server), through an ordered consumer, until `visit` returns false or a message at or past
 * `untilStreamSeq` was visited. Used to index an axon's commits and to settle an ambiguous publish.
 */
export async function scanCommits(
  js: JetStreamClient,
  stream: string,
  subject: string,
  fromStreamSeq: number,
  untilStreamSeq: number,
  visit: (commit: ScannedCommit) => boolean,
): Promise<void> {
  if (fromStreamSeq > untilStreamSeq) return;
  const consumer = await js.consumers.get(stream, {
    filter_subjects: subject,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: Math.max(1, fromStreamSeq),
    headers_only: true,
  });
  const messages = await consumer.consume({ max_messages: 1024 });
  try {
    for await (const m of messages) {
      const keepGoing = visit({ streamSeq: m.seq, info: decodeCommitInfo(m.headers) });
      if (!keepGoing || m.seq >= untilStreamSeq) break;
    }
  } finally {
    await messages.close();
  }
}
