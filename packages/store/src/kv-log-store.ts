import { type Clock, isMutantActive, newId, type Rng, SerialQueue } from "@openaxon/core";
import { AxonCache } from "./axon-cache.js";
import type { ChunkPage } from "./chunk-page.js";
import {
  AxonNotFoundError,
  EventsTrimmedError,
  StoreClosedError,
  StoreCorruptionError,
  StoreFailedError,
} from "./errors.js";
import {
  chunkFirstSequence,
  chunkLastSequence,
  chunkProblem,
  chunkStoredBytes,
  encodeChunk,
  splitIntoChunks,
} from "./event-codec.js";
import { GroupCommit } from "./group-commit.js";
import type { AppendedEvents } from "./join-appends.js";
import { keys } from "./keys.js";
import type { KvBackend, KvOp } from "./kv-backend.js";
import type {
  AppendOptions,
  AppendResult,
  AxonRecord,
  AxonUpdate,
  EventInput,
  ListAxonsOptions,
  LogStore,
  ReadOptions,
  Retention,
  RetentionPassReport,
  StoredEvent,
  StoreHealth,
  TailListener,
} from "./log-store.js";
import { type ChunkReader, isLevelCorruption, readChunkSlices, readChunks } from "./read-chunks.js";
import type { RecordStore } from "./record-store.js";
import { recoverHead } from "./recover-head.js";
import { normalizeRetention } from "./retention-decision.js";
import { purgeAxon, trimAxon } from "./retention-pass.js";
import { AxonSequencer, type SequencerContext, type TrimLine } from "./sequencer.js";
import { quietObserver, type StoreObserver } from "./store-observer.js";
import { TailSignal } from "./tail-signal.js";

interface AxonMeta {
  id: string;
  name: string;
  createdAtMs: number;
  labels: Record<string, string>;
  deleted?: boolean;
  retention?: Retention;
}

interface LoadedAxon {
  meta: AxonMeta;
  sequencer: AxonSequencer;
  /** Set when head recovery found the axon damaged: it is readable up to the damage, never written. */
  damage?: StoreCorruptionError;
}

export interface KvLogStoreOptions {
  readonly backend: KvBackend;
  readonly clock: Clock;
  readonly rng: Rng;
  /** Axons whose metadata and head stay in memory (LRU); others reload from disk. Default 4096. */
  readonly axonCacheCapacity?: number;
  /** Least time between two attempts to recover from a failed write (reopen, re-read heads). */
  readonly recoveryIntervalMs?: number;
  /** Told about damage found while loading or reading, so it is logged even if no RPC reports it. */
  readonly onDamage?: (error: StoreCorruptionError) => void;
  /** The per-axon size cap in stored bytes (storedEventBytes); appends past it fail. Default 10 GiB. */
  readonly maxAxonBytes?: number;
  /** Told about every durable write (group commit): for metrics, never for decisions. */
  readonly observer?: StoreObserver;
}

/** The default per-axon size cap: 10 GiB of stored events, as Runloop caps an axon. */
export const DEFAULT_MAX_AXON_BYTES = 10 * 1024 ** 3;

/** About 1 KiB of heap per cached axon, so the default costs a few MiB however many axons exist. */
export const DEFAULT_AXON_CACHE_CAPACITY = 4096;

const json = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value), "utf8");
const parse = <T>(bytes: Uint8Array): T => JSON.parse(Buffer.from(bytes).toString("utf8")) as T;

/** LogStore and RecordStore on any ordered KvBackend: sequencer, group commit, idempotency index, tail. */
export class KvLogStore implements LogStore, RecordStore {
  private readonly backend: KvBackend;
  private readonly clock: Clock;
  private readonly rng: Rng;
  private committer: GroupCommit;
  /**
   * Bumped by every recovery from a failed write. Sequencers of an older generation may hold heads
   * reserved before the failure, so their commits are refused: only heads re-read from disk count.
   */
  private generation = 0;
  private readonly recoveryIntervalMs: number;
  private readonly onDamage: (error: StoreCorruptionError) => void;
  private recovering: Promise<void> | undefined;
  private nextRecoveryAtMs = Number.NEGATIVE_INFINITY;
  private lastRecoveryError: unknown;
  /** Loaded axons: metadata plus the sequencer holding the head cache, loaded on use, LRU-bounded. */
  private readonly axons: AxonCache<LoadedAxon>;
  private readonly tail = new TailSignal((axonId, error) => this.observer?.watcherFailed?.(axonId, error));
  private closed = false;
  private readonly maxAxonBytes: number;
  /** Serialises writes of axon metadata (update, delete), so one never undoes another. */
  private readonly metaLock = new SerialQueue();
  /** Serialises trimming and purging: a purge never races a trim of the same axon. */
  private readonly maintenance = new SerialQueue();
  private pass: Promise<RetentionPassReport> | undefined;
  private readonly observer: StoreObserver | undefined;

  constructor(options: KvLogStoreOptions) {
    this.backend = options.backend;
    this.clock = options.clock;
    this.rng = options.rng;
    this.recoveryIntervalMs = options.recoveryIntervalMs ?? 1000;
    this.onDamage = options.onDamage ?? (() => {});
    this.maxAxonBytes = options.maxAxonBytes ?? DEFAULT_MAX_AXON_BYTES;
    this.observer = options.observer && quietObserver(options.observer);
    this.committer = this.newCommitter();
    this.axons = new AxonCache(
      options.axonCacheCapacity ?? DEFAULT_AXON_CACHE_CAPACITY,
      (loaded) => loaded.sequencer,
    );
  }

  /**
   * Whether the store takes writes. After a failed write (say the disk filled) it reports `failed`
   * with the reason, and each call (like each write) tries to recover at most once per
   * `recoveryIntervalMs`: reopen the backend and re-read every head from disk, so no sequence that
   * may be on disk is handed out again.
   */
  async health(): Promise<StoreHealth> {
    if (this.closed) return { status: "closed", reason: "store is closed" };
    if (this.committer.isFailed) await this.tryRecover();
    if (!this.committer.isFailed) return { status: "ok" };
    const cause = this.lastRecoveryError ?? this.committer.error;
    return { status: "failed", reason: `writes are failing: ${describe(cause)}` };
  }

  async createAxon(input: {
    name: string;
    labels: Record<string, string>;
    retention?: Retention;
  }): Promise<AxonRecord> {
    const recovering = this.ensureWritable();
    if (recovering) await recovering;
    const retention = normalizeRetention(input.retention);
    const meta: AxonMeta = {
      id: newId("axn", this.clock, this.rng),
      name: input.name,
      createdAtMs: this.clock.now(),
      labels: { ...input.labels },
      ...(retention && { retention }),
    };
    await this.committer.commit([{ type: "put", key: keys.axon(meta.id), value: json(meta) }]);
    const sequencer = new AxonSequencer(meta.id, 0, this.contextFor(this.generation));
    this.axons.set(meta.id, Promise.resolve({ meta, sequencer }));
    return toRecord(meta, sequencer);
  }

  async getAxon(id: string): Promise<AxonRecord | undefined> {
    this.assertOpen();
    const loaded = await this.load(id);
    return loaded && toRecord(loaded.meta, loaded.sequencer);
  }

  async updateAxon(id: string, update: AxonUpdate): Promise<AxonRecord | undefined> {
    const recovering = this.ensureWritable();
    if (recovering) await recovering;
    return this.metaLock.run(async () => {
      const loaded = await this.load(id);
      if (!loaded) return undefined;
      const meta: AxonMeta = { ...loaded.meta };
      if (update.name !== undefined) meta.name = update.name;
      if (update.labels !== undefined) meta.labels = { ...update.labels };
      if (update.retention !== undefined || update.retentionLimits !== undefined) {
        const base = update.retention === undefined ? meta.retention : (update.retention ?? undefined);
        const retention = normalizeRetention({ ...base, ...update.retentionLimits });
        if (retention) meta.retention = retention;
        else delete meta.retention;
      }
      await this.committer.commit([{ type: "put", key: keys.axon(id), value: json(meta) }]);
      loaded.meta = meta;
      return toRecord(meta, loaded.sequencer);
    });
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
        if (loaded) out.push(toRecord(loaded.meta, loaded.sequencer));
        if (out.length === options.limit) break;
      }
      if (page.length < 256) break;
    }
    return out;
  }

  async deleteAxon(id: string): Promise<boolean> {
    const recovering = this.ensureWritable();
    if (recovering) await recovering;
    const deleted = await this.metaLock.run(async () => {
      const loaded = await this.load(id);
      if (!loaded) return false;
      // The tombstone stays until the purge below has removed everything else of the axon, so a
      // purge cut short (a crash) is finished by the next retention pass.
      const meta: AxonMeta = { ...loaded.meta, deleted: true };
      await this.committer.commit([{ type: "put", key: keys.axon(id), value: json(meta) }]);
      loaded.sequencer.retire();
      this.axons.set(id, Promise.resolve(undefined));
      return true;
    });
    // In the background: the caller is answered once the axon is gone from reads and lists.
    if (deleted) this.maintenance.run(() => this.purge(id)).catch(() => {});
    return deleted;
  }

  /**
   * One retention pass (see LogStore.applyRetention). Passes do not overlap: a call during one
   * gets that pass's report.
   */
  applyRetention(): Promise<RetentionPassReport> {
    this.assertOpen();
    if (!this.pass) {
      this.pass = this.maintenance
        .run(() => this.retentionPass())
        .finally(() => {
          this.pass = undefined;
        });
    }
    return this.pass;
  }

  private async retentionPass(): Promise<RetentionPassReport> {
    let axonsTrimmed = 0;
    let eventsTrimmed = 0;
    let axonsPurged = 0;
    let after: string = keys.axonRange.gt;
    for (;;) {
      if (this.closed) break;
      const page = await this.backend.entries({ gt: after, lt: keys.axonRange.lt, limit: 256 });
      for (const [key, value] of page) {
        after = key;
        const meta = parse<AxonMeta>(value);
        if (meta.deleted) {
          await this.purge(meta.id);
          axonsPurged++;
          continue;
        }
        if (!meta.retention) continue;
        const trimmed = await this.trim(meta.id);
        if (trimmed > 0) {
          axonsTrimmed++;
          eventsTrimmed += trimmed;
        }
      }
      if (page.length < 256) break;
    }
    return { axonsTrimmed, eventsTrimmed, axonsPurged };
  }

  /** Trims one axon to its retention; returns how many events went. Runs in `maintenance`. */
  private async trim(id: string): Promise<number> {
    const generation = this.generation;
    const loaded = await this.load(id);
    if (!loaded?.meta.retention || loaded.damage) return 0;
    const { sequencer } = loaded;
    const before = sequencer.firstSequence;
    await trimAxon({
      backend: this.backend,
      axonId: id,
      retention: loaded.meta.retention,
      nowMs: this.clock.now(),
      sequencer,
      // As for appends: after a recovery this sequencer is no longer the axon's, and moving its
      // trim line would leave the reloaded one reading below the line on disk (false damage).
      commit: (ops, onDurable) =>
        generation !== this.generation
          ? Promise.reject(
              new StoreFailedError(
                new Error("the store recovered from a failed write while this trim ran"),
                "trim abandoned; the next retention pass trims again",
              ),
            )
          : this.committer.commit(ops, onDurable),
    });
    return sequencer.firstSequence - before;
  }

  /** Removes a deleted axon's data and then its tombstone, freeing the disk. Runs in `maintenance`. */
  private purge(id: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    return purgeAxon({
      backend: this.backend,
      axonId: id,
      commit: (ops) => this.committer.commit(ops),
      stopped: () => this.closed,
    });
  }

  async append(
    axonId: string,
    events: readonly EventInput[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    const recovering = this.ensureWritable();
    if (recovering) await recovering;
    const loaded = await this.load(axonId);
    if (!loaded) throw new AxonNotFoundError(axonId);
    if (loaded.damage) throw loaded.damage;
    try {
      const result = await loaded.sequencer.append(events, options);
      this.observer?.appended?.(axonId, result, events.length);
      return result;
    } catch (error) {
      if (this.committer.isFailed) throw new StoreFailedError(this.committer.error);
      throw error;
    }
  }

  read(axonId: string, options: ReadOptions): Promise<StoredEvent[]> {
    return this.reportingDamage(axonId, () => this.readUnchecked(axonId, checkReadOptions(options)));
  }

  readChunkPage(axonId: string, options: Omit<ReadOptions, "descending">): Promise<ChunkPage> {
    const empty: ChunkPage = { axonId, slices: [], count: 0, lastSequence: 0, bytes: 0 };
    return this.reportingDamage(axonId, async () => {
      checkReadOptions(options);
      this.assertOpen();
      const loaded = await this.load(axonId);
      if (!loaded) throw new AxonNotFoundError(axonId);
      return this.readForward(loaded.sequencer, options, empty, readChunkSlices);
    });
  }

  /** Runs a read; LevelDB's own damage reports on the way (head recovery, seeks) are data loss. */
  private async reportingDamage<T>(axonId: string, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      if (error instanceof EventsTrimmedError) throw error;
      if (!(error instanceof StoreCorruptionError) && isLevelCorruption(error)) {
        throw this.damaged(new StoreCorruptionError(axonId, undefined, undefined, describe(error)));
      }
      throw error;
    }
  }

  private async readUnchecked(axonId: string, options: ReadOptions): Promise<StoredEvent[]> {
    this.assertOpen();
    const loaded = await this.load(axonId);
    if (!loaded) throw new AxonNotFoundError(axonId);
    const { sequencer } = loaded;
    if (!options.descending) return this.readForward(sequencer, options, [], readChunks);
    // Bound reads by the durable head: an event in a batch LevelDB has applied but not yet
    // acknowledged must not be served before its publisher hears it is durable.
    const head = isMutantActive("read-uncommitted") ? await this.visibleHead(axonId) : sequencer.durableHead;
    const limit = Math.max(0, options.limit);
    const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    const first = sequencer.firstSequence;
    const before = options.afterSequence > 0 ? Math.min(options.afterSequence, head + 1) : head + 1;
    if (before <= 1) return [];
    // Reading from the head of an axon retention emptied finds nothing; asking for events below
    // a given sequence, all of them trimmed, is out of range.
    if (before <= first) {
      if (options.afterSequence === 0) return [];
      throw new EventsTrimmedError(axonId, first, head, before - 1);
    }
    if (limit === 0) return [];
    // The chunk holding `before - 1` is keyed at or below it, so it is the first one found.
    const events = await this.readAboveTrimLine(sequencer, first, () =>
      this.readVerified(
        sequencer,
        readChunks,
        { gt: keys.event(axonId, 0), lt: keys.event(axonId, before), reverse: true },
        { from: first, to: before - 1, limit, maxBytes },
      ),
    );
    // A trim that landed during the read only shortens the page: it ends at the first sequence.
    const line = sequencer.firstSequence;
    return line > first ? events.filter((event) => event.sequence >= line) : events;
  }

  /** An ascending read, of events or of chunk slices (`reader`); `empty` when there is nothing to read. */
  private async readForward<T>(
    sequencer: AxonSequencer,
    options: Omit<ReadOptions, "descending">,
    empty: T,
    reader: ChunkReader<T>,
  ): Promise<T> {
    const { axonId } = sequencer;
    const head = isMutantActive("read-uncommitted") ? await this.visibleHead(axonId) : sequencer.durableHead;
    const limit = Math.max(0, options.limit);
    const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    const first = sequencer.firstSequence;
    // after_sequence 0 means "from the start": the start of what is retained.
    const from = options.afterSequence === 0 ? first : options.afterSequence + 1;
    if (from < first) throw new EventsTrimmedError(axonId, first, head, from);
    if (limit === 0 || from > head) return empty;
    const read = await this.readAboveTrimLine(sequencer, from, () =>
      this.readAscending(sequencer, reader, from, head, limit, maxBytes),
    );
    // A trim that landed during the read took events this read needed: never serve them.
    if (sequencer.firstSequence > from) {
      throw new EventsTrimmedError(axonId, sequencer.firstSequence, sequencer.durableHead, from);
    }
    return read;
  }

  /**
   * Runs a read that starts at or above `from`; if retention moved the trim line past `from` while
   * it ran, the chunks it found missing were trimmed, not lost: EventsTrimmedError, not damage.
   */
  private async readAboveTrimLine<T>(
    sequencer: AxonSequencer,
    from: number,
    read: () => Promise<T>,
  ): Promise<T> {
    try {
      return await read();
    } catch (error) {
      if (error instanceof StoreCorruptionError && sequencer.firstSequence > from) {
        throw new EventsTrimmedError(sequencer.axonId, sequencer.firstSequence, sequencer.durableHead, from);
      }
      throw error;
    }
  }

  private async readAscending<T>(
    sequencer: AxonSequencer,
    reader: ChunkReader<T>,
    from: number,
    head: number,
    limit: number,
    maxBytes: number,
  ): Promise<T> {
    const { axonId } = sequencer;
    // Seek the chunk that holds `from` (keyed by its first sequence, at or below `from`).
    const holding = await this.backend.entries({
      gt: keys.event(axonId, 0),
      lt: keys.event(axonId, from + 1),
      reverse: true,
      limit: 1,
    });
    // That chunk came with its value: the read starts with it instead of fetching it again.
    const holdingEntry = holding[0];
    const startKey = holdingEntry?.[0] ?? keys.event(axonId, from);
    return this.readVerified(
      sequencer,
      reader,
      { gte: startKey, lt: keys.event(axonId, head + 1) },
      { from, to: head, limit, maxBytes },
      holdingEntry,
    );
  }

  /** The newest chunk's last sequence as the backend shows it, synced or not (mutant only). */
  private async visibleHead(axonId: string): Promise<number> {
    const [newest] = await this.backend.entries({
      gt: keys.event(axonId, 0),
      lt: keys.eventsEnd(axonId),
      reverse: true,
      limit: 1,
    });
    return newest ? chunkLastSequence(newest[1]) : 0;
  }

  private async readVerified<T>(
    sequencer: AxonSequencer,
    reader: ChunkReader<T>,
    range: { gt?: string; gte?: string; lt: string; reverse?: boolean },
    want: { from: number; to: number; limit: number; maxBytes: number },
    first?: readonly [string, Uint8Array],
  ): Promise<T> {
    const firstBefore = sequencer.firstSequence;
    try {
      return await reader(this.backend, sequencer.axonId, range, want, first);
    } catch (error) {
      // Chunks a concurrent trim removed are not damage (readAboveTrimLine says what they are).
      const trimmedMeanwhile = sequencer.firstSequence !== firstBefore;
      if (error instanceof StoreCorruptionError && !trimmedMeanwhile) this.onDamage(error);
      throw error;
    }
  }

  watch(axonId: string, listener: TailListener): () => void {
    this.assertOpen();
    // Watchers live in the store, not the sequencer, so registering is synchronous even for an axon
    // not loaded yet: nothing can commit to it before its sequencer exists.
    return this.tail.watch(axonId, listener);
  }

  async putRecord(kind: string, id: string, value: unknown): Promise<void> {
    const recovering = this.ensureWritable();
    if (recovering) await recovering;
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
    const recovering = this.ensureWritable();
    if (recovering) await recovering;
    await this.committer.commit([{ type: "del", key: keys.record(kind, id) }]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.recovering?.catch(() => {});
    // A purge or trim in progress stops at its next step (it checks `closed`); wait for it.
    await this.maintenance.idle();
    await this.committer.idle();
    await this.backend.close();
  }

  private load(id: string): Promise<LoadedAxon | undefined> {
    let loading = this.axons.get(id);
    if (!loading) {
      loading = this.loadFromDisk(id, this.generation);
      // A failed load (I/O error) is not cached: the cache drops rejected entries.
      this.axons.set(id, loading);
    }
    return loading;
  }

  private async loadFromDisk(id: string, generation: number): Promise<LoadedAxon | undefined> {
    const bytes = await this.backend.get(keys.axon(id));
    if (!bytes) return undefined;
    const meta = parse<AxonMeta>(bytes);
    if (meta.deleted) return undefined;
    // Recover the head from the newest durable chunk, checked against the oldest chunk and the
    // high-water mark written with every append.
    const edge = (reverse: boolean) =>
      this.backend.entries({ gt: keys.event(id, 0), lt: keys.eventsEnd(id), reverse, limit: 1 });
    const [[newest], [oldest], headBytes, trimBytes, appendedBytes] = await Promise.all([
      edge(true),
      edge(false),
      this.backend.get(keys.head(id)),
      this.backend.get(keys.trimLine(id)),
      this.backend.get(keys.appendedBytes(id)),
    ]);
    const trim: TrimLine = trimBytes ? parse<TrimLine>(trimBytes) : { firstSequence: 1, trimmedBytes: 0 };
    for (const chunk of [newest, oldest]) {
      const problem = chunk && chunkProblem(chunk[1]);
      if (problem)
        throw this.damaged(new StoreCorruptionError(id, undefined, undefined, `${chunk[0]} ${problem}`));
    }
    const recovered = recoverHead({
      oldestFirst: oldest && chunkFirstSequence(oldest[1]),
      newestLast: newest && chunkLastSequence(newest[1]),
      headRecord: headBytes && parse<number>(headBytes),
      firstSequence: trim.firstSequence,
    });
    const head = Math.max(0, recovered.head - (isMutantActive("sequence-reuse-after-restart") ? 1 : 0));
    const sequencer = new AxonSequencer(id, head, this.contextFor(generation), {
      // Axons written before the size record existed are measured once, from their chunks.
      appendedBytes: appendedBytes
        ? parse<number>(appendedBytes)
        : trim.trimmedBytes + (await this.measureChunks(id)),
      trim: { firstSequence: Math.min(trim.firstSequence, head + 1), trimmedBytes: trim.trimmedBytes },
    });
    if (!recovered.damage) return { meta, sequencer };
    const { from, to, detail } = recovered.damage;
    const damage = this.damaged(
      new StoreCorruptionError(id, from, to, `${detail}; the axon takes no writes (run axond verify)`),
    );
    return { meta, sequencer, damage };
  }

  /** Stored bytes of an axon's chunks (for axons without an appended-bytes record). */
  private async measureChunks(id: string): Promise<number> {
    let total = 0;
    let after = keys.event(id, 0);
    for (;;) {
      const page = await this.backend.entries({ gt: after, lt: keys.eventsEnd(id), limit: 1024 });
      for (const [key, value] of page) {
        after = key;
        total += chunkStoredBytes(value);
      }
      if (page.length < 1024) return total;
    }
  }

  private newCommitter(): GroupCommit {
    // The sequencers' notify calls come from the commit's onDurable callbacks; flushed together after.
    return new GroupCommit(this.backend, undefined, this.observer, chunkOps, () => this.tail.flush());
  }

  private damaged(error: StoreCorruptionError): StoreCorruptionError {
    this.onDamage(error);
    return error;
  }

  private contextFor(generation: number): SequencerContext {
    return {
      now: () => this.clock.now(),
      maxAxonBytes: this.maxAxonBytes,
      lookupIdempotency: async (axonId: string, key: string): Promise<AppendResult | undefined> => {
        const bytes = await this.backend.get(keys.idempotency(axonId, key));
        return bytes && parse<AppendResult>(bytes);
      },
      commit: (axonId, events, idempotencyKey, result, appendedBytes, onDurable): Promise<void> => {
        // A sequencer from before a recovery may hold a head that is no longer the truth on disk.
        if (generation !== this.generation) return Promise.reject(new StoreFailedError(this.committer.error));
        // The chunks are left to the committer, which joins this append with the axon's others.
        const ops: KvOp[] = [{ type: "put", key: keys.head(axonId), value: json(result.lastSequence) }];
        ops.push({ type: "put", key: keys.appendedBytes(axonId), value: json(appendedBytes) });
        if (idempotencyKey && !isMutantActive("idempotency-not-durable"))
          ops.push({ type: "put", key: keys.idempotency(axonId, idempotencyKey), value: json(result) });
        return this.committer.commit(ops, onDurable, events.length, { axonId, events });
      },
      notify: (axonId: string, events: readonly StoredEvent[]): void => this.tail.add(axonId, events),
    };
  }

  /**
   * Throws unless the store takes writes, trying to recover from an earlier failed write first.
   * Synchronous (undefined) when the store is healthy, so a write is issued in the same tick as
   * before recovery existed: the simulation's scheduler relies on that ordering.
   */
  private ensureWritable(): Promise<void> | undefined {
    this.assertOpen();
    if (!this.committer.isFailed) return undefined;
    return this.tryRecover().then(() => {
      this.assertOpen();
      if (this.committer.isFailed) throw new StoreFailedError(this.committer.error);
    });
  }

  /**
   * Recovery from a failed write: wait for the failed batch to settle, reopen the backend, forget
   * every cached head (they are re-read from disk, which may hold a batch whose write reported an
   * error) and start a fresh committer. At most one attempt per `recoveryIntervalMs`.
   */
  private tryRecover(): Promise<void> {
    if (this.recovering) return this.recovering;
    if (this.clock.now() < this.nextRecoveryAtMs) return Promise.resolve();
    this.nextRecoveryAtMs = this.clock.now() + this.recoveryIntervalMs;
    this.recovering = (async () => {
      try {
        await this.committer.idle();
        if (this.closed) return;
        await this.backend.reopen?.();
        // Only a write that reached the disk proves writes work again; until one does, health
        // stays failed (reopening succeeds on a full disk too).
        await this.backend.writeDurable([{ type: "put", key: keys.probe, value: json(this.clock.now()) }]);
        this.generation++;
        this.axons.clear();
        this.committer = this.newCommitter();
        this.lastRecoveryError = undefined;
      } catch (error) {
        this.lastRecoveryError = error;
      } finally {
        this.recovering = undefined;
      }
    })();
    return this.recovering;
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }
}

/**
 * A caller's mistake in the options (a plain-JS caller's typo, say `fromSequence`) would otherwise
 * surface as NaN bounds and a misleading damage report.
 */
function checkReadOptions<T extends { readonly afterSequence: number; readonly limit: number }>(
  options: T,
): T {
  for (const name of ["afterSequence", "limit"] as const) {
    const value = options[name];
    if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
      throw new RangeError(`read: ${name} must be a number ≥ 0, got ${String(value)}`);
    }
  }
  return options;
}

function describe(error: unknown): string {
  return String((error as Error)?.message ?? error);
}

function toRecord(meta: AxonMeta, sequencer: AxonSequencer): AxonRecord {
  return {
    id: meta.id,
    name: meta.name,
    createdAtMs: meta.createdAtMs,
    labels: meta.labels,
    headSequence: sequencer.durableHead,
    firstSequence: sequencer.firstSequence,
    ...(meta.retention && { retention: meta.retention }),
  };
}

/** An axon's run of appended events as chunk puts, keyed by each chunk's first sequence. */
function chunkOps({ axonId, events }: AppendedEvents): KvOp[] {
  return splitIntoChunks(events).map((chunk) => ({
    type: "put",
    key: keys.event(axonId, chunk[0]!.sequence),
    value: encodeChunk(chunk),
  }));
}
