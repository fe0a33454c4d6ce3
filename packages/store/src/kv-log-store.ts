import { type Clock, isMutantActive, newId, type Rng } from "@openaxon/core";
import { AxonNotFoundError, StoreClosedError, StoreFailedError } from "./errors.js";
import { decodeEvent, encodeEvent } from "./event-codec.js";
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
}

const json = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value), "utf8");
const parse = <T>(bytes: Uint8Array): T => JSON.parse(Buffer.from(bytes).toString("utf8")) as T;

/** The LogStore on any ordered KvBackend: sequencer, group commit, idempotency index, tail signal. */
export class KvLogStore implements LogStore {
  private readonly backend: KvBackend;
  private readonly clock: Clock;
  private readonly rng: Rng;
  private readonly committer: GroupCommit;
  /** Loaded axons: metadata plus the sequencer holding the head cache. Loaded once, on first use. */
  private readonly axons = new Map<
    string,
    Promise<{ meta: AxonMeta; sequencer: AxonSequencer } | undefined>
  >();
  private readonly watchers = new Map<string, Set<TailListener>>();
  private closed = false;

  constructor(options: KvLogStoreOptions) {
    this.backend = options.backend;
    this.clock = options.clock;
    this.rng = options.rng;
    this.committer = new GroupCommit(this.backend);
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
    const range = options.descending
      ? {
          gt: keys.event(axonId, 0),
          lt: keys.event(
            axonId,
            options.afterSequence > 0 ? Math.min(options.afterSequence, head + 1) : head + 1,
          ),
          reverse: true,
          limit: options.limit,
        }
      : {
          gt: keys.event(axonId, options.afterSequence),
          lt: keys.event(axonId, head + 1),
          limit: options.limit,
        };
    if (!options.descending && options.afterSequence >= head) return [];
    if (options.maxBytes === undefined) {
      return (await this.backend.values(range)).map((v) => decodeEvent(axonId, v));
    }
    return this.readWithinBytes(axonId, range, options.maxBytes);
  }

  /**
   * Reads in chunks until the byte budget is spent. The first chunk is small; later ones are sized
   * from the average seen so far, so small events still arrive in one or two backend reads.
   */
  private async readWithinBytes(
    axonId: string,
    range: { gt: string; lt: string; reverse?: boolean; limit: number },
    maxBytes: number,
  ): Promise<StoredEvent[]> {
    const out: StoredEvent[] = [];
    let bytes = 0;
    let chunk = Math.min(range.limit, 64);
    let cursor = range;
    while (out.length < range.limit && bytes < maxBytes) {
      const values = await this.backend.values({ ...cursor, limit: chunk });
      for (const v of values) {
        const event = decodeEvent(axonId, v);
        out.push(event);
        bytes += eventSize(event);
        if (bytes >= maxBytes) break;
      }
      if (values.length < chunk || bytes >= maxBytes) break;
      const lastKey = keys.event(axonId, out[out.length - 1]!.sequence);
      cursor = range.reverse ? { ...cursor, lt: lastKey } : { ...cursor, gt: lastKey };
      const average = bytes / out.length;
      chunk = Math.max(1, Math.min(range.limit - out.length, Math.ceil((maxBytes - bytes) / average)));
    }
    return out;
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
      this.axons.set(id, loading);
      // A failed load (I/O error) must not be cached forever.
      loading.catch(() => this.axons.delete(id));
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
      ? decodeEvent(id, newest[0]).sequence - (isMutantActive("sequence-reuse-after-restart") ? 1 : 0)
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
      const ops: KvOp[] = events.map((e) => ({
        type: "put",
        key: keys.event(axonId, e.sequence),
        value: encodeEvent(e),
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
