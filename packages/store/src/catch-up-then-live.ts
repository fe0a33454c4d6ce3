import { isMutantActive } from "@openaxon/core";
import type { ChunkPage } from "./chunk-page.js";
import { eventSize, type LogStore, type StoredEvent } from "./log-store.js";

export type FollowItem =
  | {
      readonly kind: "events";
      readonly events: readonly StoredEvent[];
      /**
       * Live items made of whole commits carry them, as the very arrays the tail signal delivered
       * (shared by every follower of the axon), so a consumer can encode each commit once for all
       * followers. Present only when `events` is exactly these commits, concatenated.
       */
      readonly commits?: readonly (readonly StoredEvent[])[];
    }
  /**
   * Replayed events still in their stored chunks (only with `chunkPages`): for a consumer that
   * transcodes them to its wire format instead of decoding them.
   */
  | { readonly kind: "chunks"; readonly page: ChunkPage }
  /** Replay reached the head; what follows is live. */
  | { readonly kind: "caught_up"; readonly headSequence: number }
  /** The live buffer overflowed; replay resumes from the store after lastSequence. */
  | { readonly kind: "fell_behind"; readonly lastSequence: number; readonly headSequence: number };

export interface FollowOptions {
  /** Deliver events with sequence > afterSequence. */
  readonly afterSequence: number;
  /** Events per store read and per yielded batch during replay. */
  readonly batchSize?: number;
  /** Bytes per store read during replay (at least one event), so large payloads bound memory. */
  readonly maxReadBytes?: number;
  /** Live events buffered for a slow consumer before it is dropped back to store reads. */
  readonly liveBufferLimit?: number;
  /** Live bytes (by `eventSize`) buffered for a slow consumer before it is dropped back. */
  readonly liveBufferBytes?: number;
  /** Only events passing the filter are yielded; the cursor still advances past the others. */
  readonly filter?: (event: StoredEvent) => boolean;
  readonly signal?: AbortSignal;
  /**
   * Live delivery without the generator: while the follower is live and idle (waiting for the
   * next commit, nothing buffered, no filter), each commit is offered here, synchronously from the
   * tail signal, before it is buffered. Returning true means the consumer delivered it (the cursor
   * moves past it); false means it takes the usual way (buffered, then yielded). One loop over the
   * followers per commit, instead of a wake-up and several async hops per follower, is what lets
   * fan-out to many followers keep up. Items yielded and commits accepted here never overlap: the
   * sink is only offered a commit while the generator is suspended with nothing to yield.
   */
  readonly liveSink?: (commit: readonly StoredEvent[]) => boolean;
  /**
   * Replay pages come as `chunks` items when the store can read chunk pages (LogStore.readChunkPage)
   * and there is no filter; otherwise, and always once live, as `events`.
   */
  readonly chunkPages?: boolean;
}

/**
 * Follows an axon: replays from the store, then hands off to the live tail, with no skipped and no
 * repeated sequence whatever commits race with the hand-off.
 *
 * How: the tail listener is registered *before* the first store read, so every event committed from
 * then on lands in the live buffer; everything committed earlier is readable from the store. Replay
 * reads until a short page, then the buffer is drained keeping only sequences beyond the last one
 * delivered. The buffer is bounded: past `liveBufferLimit` it is dropped and the follower goes back
 * to store reads (`fell_behind`), so a slow consumer costs disk reads, never unbounded memory.
 * Consumption is pull-based (an async generator), so the consumer's pace is the backpressure.
 */
export async function* catchUpThenLive(
  store: LogStore,
  axonId: string,
  options: FollowOptions,
): AsyncGenerator<FollowItem, void, undefined> {
  const batchSize = options.batchSize ?? 512;
  const bufferLimit = options.liveBufferLimit ?? 8192;
  const bufferBytesLimit = options.liveBufferBytes ?? Number.POSITIVE_INFINITY;
  const maxBytes = options.maxReadBytes ?? 4 * 1024 * 1024;
  const { filter, signal } = options;
  let last = options.afterSequence;
  // Commits as the tail signal delivered them (kept whole: they are shared with other followers).
  let buffer: (readonly StoredEvent[])[] = [];
  let buffered = 0;
  let bufferedBytes = 0;
  let overflowed = false;
  let wake: (() => void) | undefined;
  const clearBuffer = () => {
    buffer = [];
    buffered = 0;
    bufferedBytes = 0;
  };

  const { liveSink } = options;
  // Read by the watcher once per follower per commit: a plain flag, not the AbortSignal getter.
  let stopped = signal?.aborted === true;
  const unwatch = store.watch(axonId, (events) => {
    // `wake` is set only while the live loop waits with an empty buffer.
    if (
      liveSink &&
      wake &&
      !filter &&
      !overflowed &&
      buffer.length === 0 &&
      events.length > 0 &&
      events[0]!.sequence === last + 1 &&
      // A commit the buffer could not hold overflows as before, whichever way it would go.
      events.length <= bufferLimit &&
      commitSize(events) <= bufferBytesLimit &&
      !stopped &&
      offer(liveSink, events)
    ) {
      last = events[events.length - 1]!.sequence;
      return;
    }
    if (!overflowed && events.length > 0) {
      buffer.push(events);
      buffered += events.length;
      bufferedBytes += commitSize(events);
      if (buffered > bufferLimit || bufferedBytes > bufferBytesLimit) {
        overflowed = true;
        clearBuffer();
      }
    }
    wake?.();
  });
  const onAbort = () => {
    stopped = true;
    wake?.();
  };
  signal?.addEventListener("abort", onAbort);

  const readChunkPage = options.chunkPages && !filter ? store.readChunkPage?.bind(store) : undefined;
  const readPage = (): Promise<StoredEvent[] | ChunkPage> => {
    overflowed = false;
    const read = { afterSequence: last, limit: batchSize, maxBytes };
    const page = readChunkPage ? readChunkPage(axonId, read) : store.read(axonId, read);
    // A read still in flight when the consumer stops is abandoned; its failure must not go unhandled.
    page.catch(() => {});
    return page;
  };

  const deliver = (events: readonly StoredEvent[]): FollowItem | undefined => {
    last = events[events.length - 1]!.sequence;
    const visible = filter ? events.filter(filter) : events;
    return visible.length > 0 ? { kind: "events", events: visible } : undefined;
  };

  /** Whole commits, unfiltered: the item keeps them so their encoding can be shared. */
  const deliverCommits = (commits: readonly (readonly StoredEvent[])[]): FollowItem | undefined => {
    if (filter || commits.length === 0) return deliver(commits.flat());
    const events = commits.length === 1 ? commits[0]! : commits.flat();
    last = events[events.length - 1]!.sequence;
    return { kind: "events", events, commits };
  };

  try {
    let live = false;
    while (!signal?.aborted) {
      // Catch-up: read the store until a short page. Overflow during replay needs no notice: we are
      // reading the store anyway. After a full page the next one is read while the consumer handles
      // this one, so store reads overlap encoding and sending. One read at a time, and `overflowed`
      // is cleared just before each read starts, so "short page and no overflow since" still means
      // the buffer holds everything committed after that read.
      let reading = readPage();
      for (;;) {
        const page = await reading;
        if (signal?.aborted) return;
        let item: FollowItem | undefined;
        let shortPage: boolean;
        if (Array.isArray(page)) {
          let bytes = 0;
          for (const e of page) bytes += eventSize(e);
          shortPage = page.length < batchSize && bytes < maxBytes;
          item = page.length > 0 ? deliver(page) : undefined;
        } else {
          shortPage = page.count < batchSize && page.bytes < maxBytes;
          if (page.count > 0) {
            last = page.lastSequence;
            item = { kind: "chunks", page };
          }
        }
        if (!shortPage) reading = readPage();
        if (item) yield item;
        if (shortPage) {
          if (!overflowed) break;
          reading = readPage();
        }
      }
      if (!live) {
        live = true;
        yield { kind: "caught_up", headSequence: await headOf(store, axonId, last) };
        if (isMutantActive("handoff-off-by-one") && buffered > 0) last++;
      }
      // Live: drain the buffer; anything at or below `last` was already read from the store.
      for (;;) {
        if (signal?.aborted) return;
        if (overflowed) {
          clearBuffer();
          yield { kind: "fell_behind", lastSequence: last, headSequence: await headOf(store, axonId, last) };
          live = false;
          break;
        }
        if (buffer.length === 0) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
          continue;
        }
        const taken = buffer;
        clearBuffer();
        // Drop what was already read from the store: whole commits, then the head of a straddling one.
        let first = 0;
        while (first < taken.length && taken[first]!.at(-1)!.sequence <= last) first++;
        if (first === taken.length) continue;
        let start = 0;
        const straddling = taken[first]!;
        while (straddling[start]!.sequence <= last) start++;
        // Contiguity is guaranteed by the store's watch contract; if it ever broke, the store is the
        // source of truth, so fall back to reading it rather than deliver a gap.
        if (straddling[start]!.sequence !== last + 1) break;
        const commits = taken.slice(first);
        if (start > 0) commits[0] = straddling.slice(start);
        // Items of about batchSize events, whole commits each (a bigger commit is an item alone).
        let group: (readonly StoredEvent[])[] = [];
        let groupEvents = 0;
        for (const commit of commits) {
          if (groupEvents > 0 && groupEvents + commit.length > batchSize) {
            const item = deliverCommits(group);
            if (item) yield item;
            group = [];
            groupEvents = 0;
          }
          group.push(commit);
          groupEvents += commit.length;
        }
        const item = deliverCommits(group);
        if (item) yield item;
      }
    }
  } finally {
    unwatch();
    signal?.removeEventListener("abort", onAbort);
  }
}

/** A sink that throws has not delivered the commit: it goes the usual way. */
function offer(sink: (commit: readonly StoredEvent[]) => boolean, commit: readonly StoredEvent[]): boolean {
  try {
    return sink(commit);
  } catch {
    return false;
  }
}

/** Sizes of commits, measured once for all followers (each commit array is shared by them). */
const commitSizes = new WeakMap<readonly StoredEvent[], number>();
function commitSize(events: readonly StoredEvent[]): number {
  let size = commitSizes.get(events);
  if (size === undefined) {
    size = 0;
    for (const e of events) size += eventSize(e);
    commitSizes.set(events, size);
  }
  return size;
}

/** The axon's durable head (the cursor may be beyond it when a follower starts in the future). */
async function headOf(store: LogStore, axonId: string, fallback: number): Promise<number> {
  return (await store.getAxon(axonId))?.headSequence ?? fallback;
}
