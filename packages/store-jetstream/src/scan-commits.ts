import { DeliverPolicy, type JetStreamClient } from "@nats-io/jetstream";
import { type CommitInfo, decodeCommitInfo } from "./commit-headers.js";
import { forEachWithin, type IdleDeadline } from "./idle-deadline.js";

export interface ScannedCommit {
  readonly streamSeq: number;
  readonly info: CommitInfo | undefined;
}

export interface ScanRange {
  readonly stream: string;
  readonly subject: string;
  readonly fromStreamSeq: number;
  readonly untilStreamSeq: number;
}

/** The scan waited `idleMs` for a message the stream has: its consumer is gone or offline. */
export class ScanStalledError extends Error {
  constructor(stream: string, afterStreamSeq: number, idleMs: number) {
    super(
      `reading stream ${stream} stalled after stream sequence ${afterStreamSeq}: no message for ${idleMs} ms (its consumer's node is down or unreachable)`,
    );
    this.name = "ScanStalledError";
  }
}

/**
 * Walks one subject's messages from stream sequence `fromStreamSeq`, headers only (bodies stay on
 * the server), through an ordered consumer, until `visit` returns false or a message at or past
 * `untilStreamSeq` was visited. Used to index an axon's commits and to settle an ambiguous publish.
 *
 * The wait for each message is bounded: the consumer is R1 and can sit on a node that dies, and
 * nats.js then retries "consumer is offline" for ever, so without a deadline the read would hang.
 */
export async function scanCommits(
  js: JetStreamClient,
  range: ScanRange,
  deadline: IdleDeadline,
  visit: (commit: ScannedCommit) => boolean,
): Promise<void> {
  const { stream, subject, fromStreamSeq, untilStreamSeq } = range;
  if (fromStreamSeq > untilStreamSeq) return;
  const consumer = await js.consumers.get(stream, {
    filter_subjects: subject,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: Math.max(1, fromStreamSeq),
    headers_only: true,
  });
  const messages = await consumer.consume({ max_messages: 1024 });
  let lastSeq = fromStreamSeq - 1;
  try {
    await forEachWithin(
      messages,
      deadline,
      () => new ScanStalledError(stream, lastSeq, deadline.idleMs),
      (m) => {
        lastSeq = m.seq;
        return visit({ streamSeq: m.seq, info: decodeCommitInfo(m.headers) }) && m.seq < untilStreamSeq;
      },
    );
  } finally {
    await messages.close().catch(() => {});
  }
}
