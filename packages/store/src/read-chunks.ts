import { ChunkCursor } from "./chunk-cursor.js";
import type { ChunkPage, ChunkSlice } from "./chunk-page.js";
import { StoreCorruptionError } from "./errors.js";
import {
  CHUNK_MAX_BYTES,
  CHUNK_MAX_EVENTS,
  chunkFirstSequence,
  chunkLastSequence,
  chunkProblem,
  decodeChunk,
} from "./event-codec.js";
import type { KvBackend, KvRange } from "./kv-backend.js";
import { eventSize, type StoredEvent } from "./log-store.js";

export interface ChunkWant {
  readonly from: number;
  readonly to: number;
  readonly limit: number;
  readonly maxBytes: number;
}

/** readChunks or readChunkSlices: a read over verified chunks returning `T`. */
export type ChunkReader<T> = (
  backend: KvBackend,
  axonId: string,
  range: KvRange & { lt: string },
  want: ChunkWant,
  first?: readonly [string, Uint8Array],
) => Promise<T>;

/**
 * Reads chunks in key order (or reverse) and returns their events within [from, to], up to `limit`
 * events or until `maxBytes` is spent (at least one event). Every chunk is verified (checksum,
 * structure) and the chunks must tile the range: a gap or overlap, or a damaged chunk, is a
 * `StoreCorruptionError` naming the sequences, never a shorter or altered answer.
 *
 * `first`, when the caller already holds the range's first entry (the seek for the chunk holding
 * `from` fetched it), is used rather than read again. Chunks per backend read start at the fewest
 * full chunks that could hold `limit` events, so a page does not fetch (and checksum) chunks it will
 * not use, and are then sized from what was seen, so one-event chunks also take few reads.
 */
export async function readChunks(
  backend: KvBackend,
  axonId: string,
  range: KvRange & { lt: string },
  want: ChunkWant,
  first?: readonly [string, Uint8Array],
): Promise<StoredEvent[]> {
  const page = new DecodedPage(axonId, range.reverse === true);
  await walkChunks(backend, axonId, range, want, page, first);
  return page.events;
}

/**
 * readChunks, ascending, with the events left in their chunks: the same events under the same
 * checks, but no string is decoded (see ChunkPage). `maxBytes` counts ChunkCursor#size.
 */
export async function readChunkSlices(
  backend: KvBackend,
  axonId: string,
  range: KvRange & { lt: string },
  want: ChunkWant,
  first?: readonly [string, Uint8Array],
): Promise<ChunkPage> {
  if (range.reverse) throw new Error("readChunkSlices reads ascending only");
  const page = new SlicedPage();
  await walkChunks(backend, axonId, range, want, page, first);
  return { axonId, slices: page.slices, count: page.taken, lastSequence: page.last, bytes: page.takenBytes };
}

/** What a walk collects from each verified chunk, and how much it has taken so far. */
interface PageBuilder {
  readonly taken: number;
  readonly takenBytes: number;
  /** Takes the chunk's events `lo..hi` in the walk's direction, within the limits; true once full. */
  take(chunk: Uint8Array, lo: number, hi: number, want: ChunkWant): boolean;
}

class DecodedPage implements PageBuilder {
  readonly events: StoredEvent[] = [];
  takenBytes = 0;

  constructor(
    private readonly axonId: string,
    private readonly reverse: boolean,
  ) {}

  get taken(): number {
    return this.events.length;
  }

  take(chunk: Uint8Array, lo: number, hi: number, want: ChunkWant): boolean {
    const events = decodeChunk(this.axonId, chunk, lo, hi);
    if (this.reverse) events.reverse();
    for (const event of events) {
      this.events.push(event);
      this.takenBytes += eventSize(event);
      if (this.events.length >= want.limit || this.takenBytes >= want.maxBytes) return true;
    }
    return false;
  }
}

class SlicedPage implements PageBuilder {
  readonly slices: ChunkSlice[] = [];
  taken = 0;
  takenBytes = 0;
  last = 0;

  take(chunk: Uint8Array, lo: number, hi: number, want: ChunkWant): boolean {
    const cursor = new ChunkCursor(chunk);
    let full = false;
    let to = lo - 1;
    while (!full && to < hi && cursor.next()) {
      if (cursor.sequence < lo) continue;
      to = cursor.sequence;
      this.taken++;
      this.takenBytes += cursor.size;
      full = this.taken >= want.limit || this.takenBytes >= want.maxBytes;
    }
    if (to >= lo) {
      this.slices.push({ chunk, from: lo, to });
      this.last = to;
    }
    return full;
  }
}

/** Walks the range's chunks, verifying each and their tiling, handing each one's wanted events to `page`. */
async function walkChunks(
  backend: KvBackend,
  axonId: string,
  range: KvRange & { lt: string },
  want: ChunkWant,
  page: PageBuilder,
  first?: readonly [string, Uint8Array],
): Promise<void> {
  const reverse = range.reverse === true;
  // The next sequence the chunks must continue with (forward: ascending from `from`; reverse:
  // descending from `to`).
  let expected = reverse ? want.to : want.from;
  let chunksRead = 0;
  let eventsInChunks = 0;
  let cursor: KvRange = range;
  let pending = first;
  for (;;) {
    const batch = pending ? 1 : chunksToRead(want, page.taken, page.takenBytes, chunksRead, eventsInChunks);
    const entries: ReadonlyArray<readonly [string, Uint8Array]> = pending
      ? [pending]
      : await readOrExplain(backend, axonId, { ...cursor, limit: batch }, want);
    pending = undefined;
    for (const [key, value] of entries) {
      verifyChunk(axonId, key, value);
      const first = chunkFirstSequence(value);
      const last = chunkLastSequence(value);
      if (!(first <= expected && expected <= last))
        throw gap(axonId, reverse, expected, reverse ? last : first);
      chunksRead++;
      eventsInChunks += last - first + 1;
      expected = reverse ? first - 1 : last + 1;
      if (page.take(value, Math.max(first, want.from), Math.min(last, want.to), want)) return;
      if (reverse ? expected < want.from : expected > want.to) return;
    }
    if (entries.length < batch) {
      // The range ended before reaching the bound it had to reach.
      throw gap(axonId, reverse, expected, undefined);
    }
    const edge = entries[entries.length - 1]![0];
    cursor = reverse ? { gt: range.gt, lt: edge, reverse: true } : { gt: edge, lt: range.lt };
  }
}

/**
 * Chunks the next backend read asks for: the fewest that could hold what is still wanted. Before any
 * chunk was seen, full chunks (CHUNK_MAX_EVENTS events or CHUNK_MAX_BYTES bytes) plus one for a
 * start inside a chunk; then chunks as large as those seen, by their event counts rather than the
 * events taken from them (the first may be entered midway), growing at most fourfold per read.
 */
function chunksToRead(
  want: ChunkWant,
  taken: number,
  takenBytes: number,
  chunksRead: number,
  eventsInChunks: number,
): number {
  let chunks: number;
  if (chunksRead === 0) {
    chunks =
      Math.min(Math.ceil(want.limit / CHUNK_MAX_EVENTS), Math.ceil(want.maxBytes / CHUNK_MAX_BYTES)) + 1;
  } else {
    const perEvent = taken > 0 ? takenBytes / taken : 1;
    const remaining = Math.min(want.limit - taken, (want.maxBytes - takenBytes) / perEvent);
    // Growth is capped: chunks seen so far may be smaller than the ones ahead (one-event publishes
    // before a bulk import), and an estimate from them alone could fetch far past the page.
    chunks = Math.min(
      Math.ceil(remaining / Math.max(1, eventsInChunks / chunksRead)),
      Math.max(16, 4 * chunksRead),
    );
  }
  return Math.min(1024, Math.max(1, chunks));
}

function verifyChunk(axonId: string, key: string, value: Uint8Array): void {
  const keySequence = sequenceOfKey(key);
  const problem = chunkProblem(value);
  if (problem !== undefined) {
    throw new StoreCorruptionError(axonId, keySequence, undefined, `the chunk at ${key} ${problem}`);
  }
  if (chunkFirstSequence(value) !== keySequence) {
    throw new StoreCorruptionError(
      axonId,
      keySequence,
      chunkLastSequence(value),
      `the chunk at ${key} says it starts at ${chunkFirstSequence(value)}`,
    );
  }
}

function gap(axonId: string, reverse: boolean, expected: number, found: number | undefined) {
  if (found === undefined) {
    return new StoreCorruptionError(
      axonId,
      reverse ? 1 : expected,
      reverse ? expected : undefined,
      `event ${expected} is missing`,
    );
  }
  const [from, to] = reverse ? [found + 1, expected] : [expected, found - 1];
  return from <= to
    ? new StoreCorruptionError(axonId, from, to, `events ${from}..${to} are missing`)
    : new StoreCorruptionError(axonId, found, expected, `chunks overlap at event ${expected}`);
}

/** The first sequence a chunk key names (keys.event). */
export function sequenceOfKey(key: string): number {
  return Number.parseInt(key.slice(key.lastIndexOf("!") + 1), 16);
}

/** LevelDB's own corruption reports become StoreCorruptionError too; other I/O errors pass through. */
async function readOrExplain(
  backend: KvBackend,
  axonId: string,
  range: KvRange,
  want: ChunkWant,
): Promise<Array<[string, Uint8Array]>> {
  try {
    return await backend.entries(range);
  } catch (error) {
    if (isLevelCorruption(error)) {
      throw new StoreCorruptionError(axonId, want.from, want.to, (error as Error).message);
    }
    throw error;
  }
}

export function isLevelCorruption(error: unknown): boolean {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const message = `${e?.message ?? ""} ${e?.cause?.message ?? ""}`;
  return (
    e?.code === "LEVEL_CORRUPTION" ||
    e?.cause?.code === "LEVEL_CORRUPTION" ||
    /corruption/i.test(message) ||
    // A table file cut short reads as an I/O error on that file ("000005.ldb: Invalid argument"):
    // its data is gone, which is data loss, not a transient failure.
    ((e?.code === "LEVEL_IO_ERROR" || e?.cause?.code === "LEVEL_IO_ERROR") && /\.(ldb|sst)\b/.test(message))
  );
}
