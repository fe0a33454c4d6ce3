import { type Clock, isMutantActive, newId, type Rng } from "@openaxon/core";
import { AxonCache } from "./axon-cache.js";
import { AxonNotFoundError, StoreClosedError, StoreFailedError } from "./errors.js";
import {
  chunkFirstSequence,
  chunkLastSequence,
  decodeChunk,
  encodeChunk,
  splitIntoChunks,
} from "./event-codec.js";
import { GroupCommit } from "./group-commit.js";
import { keys } from "./keys.js";
import type { KvBackend, KvOp } from "./kv-backend.js";
import type {
  AppendOptions,
  AppendResult,
  AxonRecord,
  EventInput,
  ListAxonsOptions,
  LogStore,
  ReadOptions,
  StoredEvent,
  TailListener,
} from "./log-store.js";
import { eventSize } from "./log-store.js";
import { AxonSequencer } from "./sequencer.js";

interface AxonMeta {
  id: string;
  name: string;
  createdAtMs: number;
  labels: Record<string, string>;
  deleted?: boolean;
}

export interface KvLogStoreOptions {
  readonly backend: KvBackend;
  readonly clock: Clock;
  readonly rng: Rng;
  /** Axons whose metadata and head stay in memory (LRU); others reload from disk. Default 4096. */
  readonly axonCacheCapacity?: number;
}

/** About 1 KiB of heap per cached axon, so the default costs a few MiB however many axons exist. */
export const DEFAULT_AXON_CACHE_CAPACITY = 4096;

const json = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value), "utf8");
const parse = <T>(bytes: Uint8Array): T => JSON.parse(Buffer.from(bytes).toString("utf8")) as T;

/** The LogStore on any ordered KvBackend: sequencer, group commit, idempotency index, tail signal. */
export class KvLogStore implements LogStore {
  private readonly backend: KvBackend;
  private readonly clock: Clock;
  private readonly rng: Rng;
  private readonly committer: GroupCommit;
  /** Loaded axons: metadata plus the sequencer holding the head cache, loaded on use, LRU-bounded. */
  private readonly axons: AxonCache<{ meta: AxonMeta; sequencer: AxonSequencer }>;
  private readonly watchers = new Map<string, Set<TailListener>>();
  private closed = false;

  constructor(options: KvLogStoreOptions) {
    this.backend = options.backend;
    this.clock = options.clock;
    this.rng = options.rng;
    this.committer = new GroupCommit(this.backend);
    this.axons = new AxonCache(
      options.axonCacheCapacity ?? DEFAULT_AXON_CACHE_CAPACITY,
      (loaded) => loaded.sequencer,
    );
  }

  async createAxon(input: { name: string; labels: Record<string, string> }): Promise<AxonRecord> {
    this.assertWritable();
    const meta: AxonMeta = {
      id: newId("axn", this.clock, this.rng),
      name: input.name,
      createdAtMs: this.clock.now(),
      labels: { ...input.labels },
    };
    await this.committer.commit([{ type: "put", key: keys.axon(meta.id), value: json(meta) }]);
    const sequencer = new AxonSequencer(meta.id, 0, this.sequencerContext);
    this.axons.set(meta.id, Promise.resolve({ meta, sequencer }));
    return toRecord(meta, 0);
  }

  async getAxon(id: string): Promise<AxonRecord | undefined> {
    this.assertOpen();
    const loaded = await this.load(id);
    return loaded && toRecord(loaded.meta, loaded.sequencer.durableHead);
  }

  async listAxons(options: ListAxonsOptions): Promise<AxonRecord[]> {
    this.assertOpen();
    const out: AxonRecord[] = [];
    let after = options.afterId ? keys.axon(options.afterId) : keys.axonRange.gt;
    const prefix = options.namePrefix ?? "";
    // Scan in pages: deleted and non-matching axons are skipped without loading every axon at once.
    while (out.length < options.limit) {
      const page = await this.backend.entries({ gt: after, lt: keys.axonRange.lt, limit: 256 });
      for (const [key, value] of page) {
        after = key;
        const meta = parse<AxonMeta>(value);
        if (meta.deleted || !meta.name.startsWith(prefix)) continue;
        const loaded = await this.load(meta.id);
        if (loaded) out.push(toRecord(loaded.meta, loaded.sequencer.durableHead));
        if (out.length === options.limit) break;
      }
      if (page.length < 256) break;
    }
    return out;
  }

  async deleteAxon(id: string): Promise<boolean> {
    this.assertWritable();
    const loaded = await this.load(id);
    if (!loaded) return false;
    const meta: AxonMeta = { ...loaded.meta, deleted: true };
    await this.committer.commit([{ type: "put", key: keys.axon(id), value: json(meta) }]);
    this.axons.set(id, Promise.resolve(undefined));
    return true;
  }

  async append(
    axonId: string,
    events: readonly EventInput[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    this.assertWritable();
    const loaded = await this.load(axonId);
    if (!loaded) throw new AxonNotFoundError(axonId);
    try {
      return await loaded.sequencer.append(events, options);
    } catch (error) {
      if (this.committer.isFailed) throw new StoreFailedError(this.committer.error);
      throw error;
    }
  }

  async read(axonId: string, options: ReadOptions): Promise<StoredEvent[]> {
    this.assertOpen();
    const loaded = await this.load(axonId);
    if (!loaded) throw new AxonNotFoundError(axonId);
    // Bound reads by the durable head: an event in a batch LevelDB has applied but not yet
    // acknowledged must not be served before its publisher hears it is durable.
    const head = isMutantActive("read-uncommitted")
      ? Number.MAX_SAFE_INTEGER - 1
      : loaded.sequencer.durableHead;
    const limit = Math.max(0, options.limit);
    const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    if (limit === 0) return [];
    if (options.descending) {
      const before = options.afterSequence > 0 ? Math.min(options.afterSequence, head + 1) : head + 1;
      if (before <= 1) return [];
      // The chunk holding `before - 1` is keyed at or below it, so it is the first one found.
      return this.readChunks(
        axonId,
        { gt: keys.event(axonId, 0), lt: keys.event(axonId, before), reverse: true },
        {
          from: 1,
          to: before - 1,
          limit,
          maxBytes,
        },
      );
    }
    const from = options.afterSequence + 1;
    if (from > head) return [];
    // Seek the chunk that holds `from` (keyed by its first sequence, at or below `from`).
    const holding = await this.backend.entries({
      gt: keys.event(axonId, 0),
      lt: keys.event(axonId, from + 1),
      reverse: true,
      limit: 1,
    });
    const startKey = holding[0]?.[0] ?? keys.event(axonId, from);
    return this.readChunks(
      axonId,
      { gte: startKey, lt: keys.event(axonId, head + 1) },
      { from, to: head, limit, maxBytes },
    );
  }

  /**
   * Reads chunks in key order (or reverse) and returns their events within [from, to], up to
   * `limit` events or until `maxBytes` is spent (at least one event). Chunks per backend read are
   * sized from what was seen so far, so both one-event and many-event chunks take few reads.
   */
  private async readChunks(
    axonId: string,
    range: { gt?: string; gte?: string; lt: string; reverse?: boolean },
    want: { from: number; to: number; limit: number; maxBytes: number },
  ): Promise<StoredEvent[]> {
    const out: StoredEvent[] = [];
    let bytes = 0;
    let chunksRead = 0;
    let cursor = range;
    let batch = 16;
    for (;;) {
      const values = await this.backend.values({ ...cursor, limit: batch });
      for (const value of values) {
        chunksRead++;
        let events = decodeChunk(axonId, value, want.from, want.to);
        if (range.reverse) events = events.reverse();
        for (const event of events) {
          out.push(event);
          bytes += eventSize(event);
          if (out.length >= want.limit || bytes >= want.maxBytes) return out;
        }
      }
      if (values.length < batch) return out;
      const edge = keys.event(axonId, chunkFirstSequence(values[values.length - 1]!));
      cursor = range.reverse ? { gt: range.gt, lt: edge, reverse: true } : { gt: edge, lt: range.lt };
      const perChunk = Math.max(1, out.length / chunksRead);
      const perEvent = out.length > 0 ? bytes / out.length : 1;
      const remaining = Math.min(want.limit - out.length, (want.maxBytes - bytes) / perEvent);
      batch = Math.min(1024, Math.max(1, Math.ceil(remaining / perChunk)));
    }
  }

  watch(axonId: string, listener: TailListener): () => void {
    this.assertOpen();
    // Watchers live in the store, not the sequencer, so registering is synchronous even for an axon
    // not loaded yet: nothing can commit to it before its sequencer exists.
    let set = this.watchers.get(axonId);
    if (!set) {
      set = new Set();
      this.watchers.set(axonId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.watchers.get(axonId) === set) this.watchers.delete(axonId);
    };
  }

  async putRecord(kind: string, id: string, value: unknown): Promise<void> {
    this.assertWritable();
    await this.committer.commit([{ type: "put", key: keys.record(kind, id), value: json(value) }]);
  }

  async getRecord<T>(kind: string, id: string): Promise<T | undefined> {
    this.assertOpen();
    const bytes = await this.backend.get(keys.record(kind, id));
    return bytes && parse<T>(bytes);
  }

  async listRecords<T>(kind: string): Promise<T[]> {
    this.assertOpen();
    const values = await this.backend.values(keys.recordRange(kind));
    return values.map((v) => parse<T>(v));
  }

  async deleteRecord(kind: string, id: string): Promise<void> {
    this.assertWritable();
    await this.committer.commit([{ type: "del", key: keys.record(kind, id) }]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.committer.idle();
    await this.backend.close();
  }

  private load(id: string): Promise<{ meta: AxonMeta; sequencer: AxonSequencer } | undefined> {
    let loading = this.axons.get(id);
    if (!loading) {
      loading = this.loadFromDisk(id);
      // A failed load (I/O error) is not cached: the cache drops rejected entries.
      this.axons.set(id, loading);
    }
    return loading;
  }

  private async loadFromDisk(id: string): Promise<{ meta: AxonMeta; sequencer: AxonSequencer } | undefined> {
    const bytes = await this.backend.get(keys.axon(id));
    if (!bytes) return undefined;
    const meta = parse<AxonMeta>(bytes);
    if (meta.deleted) return undefined;
    // Recover the head from the newest durable event key.
    const newest = await this.backend.values({
      gt: keys.event(id, 0),
      lt: keys.eventsEnd(id),
      reverse: true,
      limit: 1,
    });
    const head = newest[0]
      ? chunkLastSequence(newest[0]) - (isMutantActive("sequence-reuse-after-restart") ? 1 : 0)
      : 0;
    return { meta, sequencer: new AxonSequencer(id, head, this.sequencerContext) };
  }

  private readonly sequencerContext = {
    now: () => this.clock.now(),
    lookupIdempotency: async (axonId: string, key: string): Promise<AppendResult | undefined> => {
      const bytes = await this.backend.get(keys.idempotency(axonId, key));
      return bytes && parse<AppendResult>(bytes);
    },
    commit: (
      axonId: string,
      events: readonly StoredEvent[],
      idempotencyKey: string | undefined,
      result: AppendResult,
      onDurable: () => void,
    ): Promise<void> => {
      const ops: KvOp[] = splitIntoChunks(events).map((chunk) => ({
        type: "put",
        key: keys.event(axonId, chunk[0]!.sequence),
        value: encodeChunk(chunk),
      }));
      if (idempotencyKey && !isMutantActive("idempotency-not-durable"))
        ops.push({ type: "put", key: keys.idempotency(axonId, idempotencyKey), value: json(result) });
      return this.committer.commit(ops, onDurable);
    },
    notify: (axonId: string, events: readonly StoredEvent[]): void => {
      const set = this.watchers.get(axonId);
      if (!set) return;
      for (const listener of set) listener(events);
    },
  };

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }

  private assertWritable(): void {
    this.assertOpen();
    if (this.committer.isFailed) throw new StoreFailedError(this.committer.error);
  }
}

function toRecord(meta: AxonMeta, headSequence: number): AxonRecord {
  return { id: meta.id, name: meta.name, createdAtMs: meta.createdAtMs, labels: meta.labels, headSequence };
}
