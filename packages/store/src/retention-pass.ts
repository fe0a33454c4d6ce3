import { isMutantActive } from "@openaxon/core";
import { chunkLastSequence } from "./event-codec.js";
import { keys } from "./keys.js";
import type { KvBackend, KvOp } from "./kv-backend.js";
import { type Retention, storedEventBytes } from "./log-store.js";
import { readChunks } from "./read-chunks.js";
import { decideTrim } from "./retention-decision.js";
import type { AxonSequencer, TrimLine } from "./sequencer.js";

/** Keys deleted per durable batch: big deletes go in several commits, so appends are not held up. */
const DELETES_PER_COMMIT = 4096;
/** Events fed to the retention decision per read while every event read is trimmed. */
const TRIM_PAGE_EVENTS = 2048;

const json = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value), "utf8");

export interface TrimAxonInput {
  readonly backend: KvBackend;
  readonly axonId: string;
  readonly retention: Retention;
  readonly nowMs: number;
  readonly sequencer: AxonSequencer;
  /** A durable write through the store's group commit; `onDurable` runs once it is on disk. */
  readonly commit: (ops: readonly KvOp[], onDurable?: () => void) => Promise<void>;
}

/**
 * Trims one axon to its retention: decides the new trim line from its oldest events
 * (decideTrim), makes the line durable, and only then moves it in memory, so no read is served
 * below a line that a crash could undo. Chunks wholly below the line are deleted in the same and
 * following batches and the key range is compacted, which frees the disk; a chunk that straddles
 * the line stays until the line passes it (reads never return its trimmed events). The head and
 * the appended-bytes record stay: a trimmed sequence is never handed out again.
 */
export async function trimAxon(input: TrimAxonInput): Promise<void> {
  const { backend, axonId, sequencer } = input;
  const start = sequencer.trimLine;
  // A snapshot: appends that land meanwhile are above the head taken here and stay.
  const startRetained = sequencer.retainedBytes;
  let log = {
    firstSequence: start.firstSequence,
    headSequence: sequencer.durableHead,
    retainedBytes: startRetained,
  };
  for (;;) {
    if (log.firstSequence > log.headSequence) break;
    const page = await readChunks(
      backend,
      axonId,
      { gte: await chunkKeyHolding(backend, axonId, log.firstSequence), lt: keys.eventsEnd(axonId) },
      {
        from: log.firstSequence,
        to: log.headSequence,
        limit: TRIM_PAGE_EVENTS,
        maxBytes: Number.POSITIVE_INFINITY,
      },
    );
    const candidates = page.map((event) => ({
      sequence: event.sequence,
      timestampMs: event.timestampMs,
      bytes: storedEventBytes(event),
    }));
    const step = decideTrim(log, input.retention, input.nowMs, candidates);
    log = step.log;
    if (page.length === 0 || step.trimmed < page.length) break;
  }
  const line: TrimLine = {
    firstSequence: log.firstSequence,
    trimmedBytes: start.trimmedBytes + (startRetained - log.retainedBytes),
  };
  // Orphans below an earlier line (a pass cut short) go too, so deleting starts at the bottom.
  const doomed = await chunksBelow(backend, axonId, line.firstSequence);
  if (line.firstSequence === start.firstSequence && doomed.length === 0) return;
  if (isMutantActive("trim-before-durable")) sequencer.trimTo(line);
  // The line alone first: a backend shows a batch to readers before it is durable (LevelDB between
  // its fsync and the callback), so deletes in the line's batch could be seen by a read the old
  // line still let through, which would then find its chunks gone and report damage.
  await input.commit([{ type: "put", key: keys.trimLine(axonId), value: json(line) }], () =>
    sequencer.trimTo(line),
  );
  for (const ops of batches(doomed)) await input.commit(ops);
  if (doomed.length > 0) {
    await backend.compact?.({ gte: keys.event(axonId, 0), lt: keys.event(axonId, line.firstSequence) });
  }
}

export interface PurgeAxonInput {
  readonly backend: KvBackend;
  readonly axonId: string;
  readonly commit: (ops: readonly KvOp[]) => Promise<void>;
  /** True once the store is closing: the purge stops between batches (the tombstone stays). */
  readonly stopped: () => boolean;
}

/**
 * Removes everything of a deleted axon: its chunks, idempotency records, head, size and trim
 * records, then its tombstone last (so a purge a crash cut short is found and finished by the next
 * retention pass), then compacts the ranges so LevelDB gives the disk back.
 */
export async function purgeAxon(input: PurgeAxonInput): Promise<void> {
  const { backend, axonId } = input;
  const ranges = [{ gt: keys.event(axonId, 0), lt: keys.eventsEnd(axonId) }, keys.idempotencyRange(axonId)];
  for (const range of ranges) {
    for (;;) {
      // A later pass finishes what a close interrupted: the tombstone is removed last.
      if (input.stopped()) return;
      const page = await backend.entries({ ...range, limit: DELETES_PER_COMMIT });
      if (page.length === 0) break;
      await input.commit(page.map(([key]) => ({ type: "del", key })));
      if (page.length < DELETES_PER_COMMIT) break;
    }
  }
  await input.commit(
    [keys.head(axonId), keys.appendedBytes(axonId), keys.trimLine(axonId), keys.axon(axonId)].map((key) => ({
      type: "del",
      key,
    })),
  );
  for (const range of ranges) await backend.compact?.({ gte: range.gt, lt: range.lt });
}

/** The key of the chunk holding `sequence` (keyed at or below it), or where it would start. */
async function chunkKeyHolding(backend: KvBackend, axonId: string, sequence: number): Promise<string> {
  const [holding] = await backend.entries({
    gt: keys.event(axonId, 0),
    lt: keys.event(axonId, sequence + 1),
    reverse: true,
    limit: 1,
  });
  return holding?.[0] ?? keys.event(axonId, sequence);
}

/** Deletions of the chunks whose every event is below `line`. */
async function chunksBelow(backend: KvBackend, axonId: string, line: number): Promise<KvOp[]> {
  const ops: KvOp[] = [];
  let after = keys.event(axonId, 0);
  for (;;) {
    const page = await backend.entries({ gt: after, lt: keys.event(axonId, line), limit: 1024 });
    for (const [key, value] of page) {
      after = key;
      if (chunkLastSequence(value) < line) ops.push({ type: "del", key });
    }
    if (page.length < 1024) return ops;
  }
}

function batches(ops: readonly KvOp[]): KvOp[][] {
  const out: KvOp[][] = [];
  for (let i = 0; i < ops.length; i += DELETES_PER_COMMIT) out.push(ops.slice(i, i + DELETES_PER_COMMIT));
  return out;
}
