import {
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  StorageType,
} from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { type Clock, newId, type Rng } from "@openaxon/core";
import {
  type AppendOptions,
  type AppendResult,
  AxonNotFoundError,
  type AxonRecord,
  type AxonUpdate,
  chunkProblem,
  decodeChunk,
  type EventInput,
  ExpectedHeadMismatchError,
  encodeChunk,
  eventSize,
  type ListAxonsOptions,
  type LogStore,
  normalizeRetention,
  type ReadOptions,
  type RecordStore,
  type Retention,
  type RetentionPassReport,
  RetentionUnsupportedError,
  StoreClosedError,
  StoreCorruptionError,
  type StoredEvent,
  StoreError,
  StoreFailedError,
  type StoreHealth,
  type TailListener,
} from "@openaxon/store";
import { AxonFeed } from "./axon-feed.js";
import { type CommitInfo, decodeCommitInfo, encodeCommitInfo, headAfter } from "./commit-headers.js";
import { CommitIndex } from "./commit-index.js";
import { decideAppend, resultOf } from "./decide-append.js";
import { forEachWithin, type IdleDeadline } from "./idle-deadline.js";
import { type JetStreamLeaseStore, openJetStreamLeaseStore } from "./jetstream-lease-store.js";
import {
  axonStream,
  axonSubject,
  idempotencyKvKey,
  isSubjectSafeId,
  type Names,
  recordKindFilter,
  recordKvKey,
} from "./names.js";
import { scanCommits } from "./scan-commits.js";
import { isStreamNotFound } from "./stream-not-found.js";

interface AxonMeta {
  id: string;
  name: string;
  createdAtMs: number;
  labels: Record<string, string>;
  deleted?: boolean;
}

/** The axon's last commit as the stream leader has it. */
interface LastCommit {
  readonly streamSeq: number;
  readonly info: CommitInfo;
}

export interface JetStreamLogStoreParts {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly names: Names;
  readonly axons: KV;
  readonly idempotency: KV;
  readonly records: KV;
  readonly clock: Clock;
  readonly rng: Rng;
  /** Replicas of each axon's stream: 3 survives a node, 1 is a single node. */
  readonly replicas: number;
  /** Axons whose commit index stays in memory (LRU). Default 4096. */
  readonly indexCapacity?: number;
  /**
   * Longest wait for the next message of a read's scan before it fails UNAVAILABLE (the consumer's
   * node died). Default 10 s; `openJetStreamLogStore` sets twice the request timeout.
   */
  readonly readIdleMs?: number;
  /**
   * How often the server tells an idle feed it is alive; three missed and the feed follows again
   * from a new consumer (its node died). Default 5 s; kept within 500 ms and 15 s.
   */
  readonly feedHeartbeatMs?: number;
  /** Told about failures that do not fail the call (an idempotency index write after the ack). */
  readonly onWarning?: (message: string, error: unknown) => void;
}

/** Attempts per append before giving up under contention (each costs a round trip). */
const MAX_ATTEMPTS = 10_000;
const DEFAULT_READ_IDLE_MS = 10_000;
const DEFAULT_FEED_HEARTBEAT_MS = 5000;
/** Commit bodies fetched concurrently by one read. */
const READ_PARALLELISM = 8;

const json = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value), "utf8");
const parse = <T>(bytes: Uint8Array): T => JSON.parse(Buffer.from(bytes).toString("utf8")) as T;

/**
 * The LogStore on a NATS JetStream cluster. Any number of these, on any nodes, share one log per
 * axon: each axon is a stream whose leader orders its commits, and each append publishes with
 * `Nats-Expected-Last-Sequence` set to the axon's last commit, so exactly one of two racing
 * appends lands and the other retries on the new head. See the package README for the mapping,
 * the promises and what is fsync'd.
 */
export class JetStreamLogStore implements LogStore, RecordStore {
  private readonly p: JetStreamLogStoreParts;
  private readonly watchers = new Map<string, Set<TailListener>>();
  /** Commit indexes of recently read axons (Map order is recency). */
  private readonly indexes = new Map<string, CommitIndex>();
  private readonly indexCapacity: number;
  /** How long a read waits for each message of a consumer before failing UNAVAILABLE. */
  private readonly readDeadline: IdleDeadline;
  /** Per axon: this node's appends run one after another (racing ourselves only costs retries). */
  private readonly appendChains = new Map<string, Promise<unknown>>();
  /** Metadata of axons known to exist (immutable; deletion removes the axon's stream). */
  private readonly metas = new Map<string, AxonMeta>();
  private readonly inFlight = new Set<Promise<unknown>>();
  /**
   * The newest commit this node saw per axon (its own acks, the feed). Appends start from it and
   * fall back to asking the leader when the publish finds the head moved: a stale guess costs one
   * retry, never a wrong sequence (the leader checks the expectation).
   */
  private readonly lastSeen = new Map<string, LastCommit>();
  /** `axon/stream sequence` of commits whose idempotency key this node has put in the bucket. */
  private readonly keysIndexed = new Set<string>();
  /** Live feeds of the axons watched on this node. */
  private readonly feeds = new Map<string, Promise<AxonFeed | undefined>>();
  private closed = false;

  constructor(parts: JetStreamLogStoreParts) {
    this.p = parts;
    this.indexCapacity = parts.indexCapacity ?? 4096;
    this.readDeadline = { clock: parts.clock, idleMs: parts.readIdleMs ?? DEFAULT_READ_IDLE_MS };
  }

  /**
   * The cluster's runtime leases (`<prefix>_leases`, one key per runtime, max age `ttlMs`), on this
   * store's connection and replication. Every node must open it with the same ttl.
   */
  openLeases(ttlMs: number): Promise<JetStreamLeaseStore> {
    return openJetStreamLeaseStore(this.p.js, {
      bucket: this.p.names.leasesBucket,
      ttlMs,
      replicas: this.p.replicas,
    });
  }

  async health(): Promise<StoreHealth> {
    if (this.closed) return { status: "closed", reason: "store is closed" };
    if (this.p.nc.isClosed()) return { status: "failed", reason: "the NATS connection is closed" };
    try {
      await this.p.jsm.getAccountInfo();
      return { status: "ok" };
    } catch (error) {
      return { status: "failed", reason: `JetStream is not answering: ${describe(error)}` };
    }
  }

  createAxon(input: {
    name: string;
    labels: Record<string, string>;
    retention?: Retention;
  }): Promise<AxonRecord> {
    return this.track(async () => {
      refuseRetention(input.retention);
      const meta: AxonMeta = {
        id: newId("axn", this.p.clock, this.p.rng),
        name: input.name,
        createdAtMs: this.p.clock.now(),
        labels: { ...input.labels },
      };
      const { jsm, js, names, replicas } = this.p;
      const stream = axonStream(names, meta.id);
      await this.nats(() =>
        jsm.streams.add({
          name: stream,
          subjects: [axonSubject(names, meta.id)],
          storage: StorageType.File,
          num_replicas: replicas,
          // Reads go to the leader, which has every acknowledged commit; replicas may lag.
          allow_direct: false,
          // Commits are never removed one by one (that would open a gap); deletion drops the stream.
          deny_delete: true,
          deny_purge: true,
        }),
      );
      const genesis: CommitInfo = { first: 1, count: 0, timestampMs: meta.createdAtMs };
      await this.nats(() =>
        js.publish(axonSubject(names, meta.id), new Uint8Array(0), {
          headers: encodeCommitInfo(genesis),
          expect: { lastSequence: 0 },
        }),
      );
      // The stream exists before the metadata names it: a listed axon can always be written.
      await this.nats(() => this.p.axons.create(meta.id, json(meta)));
      this.metas.set(meta.id, meta);
      return toRecord(meta, 0);
    });
  }

  async getAxon(id: string): Promise<AxonRecord | undefined> {
    this.assertOpen();
    const meta = await this.meta(id);
    if (!meta) return undefined;
    const last = await this.lastCommitUnlessGone(id);
    return last && toRecord(meta, headAfter(last.info));
  }

  async listAxons(options: ListAxonsOptions): Promise<AxonRecord[]> {
    this.assertOpen();
    // Ids sort by creation time. The KV lists every key: fine for thousands of axons per cluster;
    // beyond that a sorted index (or one bucket per name prefix) would page instead.
    const ids = await this.sortedKeys(this.p.axons, "axons");
    const out: AxonRecord[] = [];
    for (const id of ids) {
      if (out.length >= options.limit) break;
      if (options.afterId !== undefined && id <= options.afterId) continue;
      const meta = await this.meta(id);
      if (!meta?.name.startsWith(options.namePrefix ?? "")) continue;
      const record = await this.getAxon(id);
      if (record) out.push(record);
    }
    return out;
  }

  /**
   * Name and labels only (retention is refused, see refuseRetention). The metadata is written with
   * the revision it was read at, so a delete racing the update wins. Other nodes keep the metadata
   * they cached until they evict or restart: names and labels may read stale there.
   */
  updateAxon(id: string, update: AxonUpdate): Promise<AxonRecord | undefined> {
    return this.track(async () => {
      refuseRetention({ ...update.retention, ...update.retentionLimits });
      if (!isSubjectSafeId(id)) return undefined;
      const entry = await this.nats(() => this.p.axons.get(id));
      if (entry?.operation !== "PUT") return undefined;
      const current = parse<AxonMeta>(entry.value);
      if (current.deleted) return undefined;
      const meta: AxonMeta = {
        ...current,
        ...(update.name !== undefined && { name: update.name }),
        ...(update.labels !== undefined && { labels: { ...update.labels } }),
      };
      await this.nats(() => this.p.axons.update(id, json(meta), entry.revision));
      this.metas.set(id, meta);
      return this.getAxon(id);
    });
  }

  /** Nothing to trim (no axon has retention here); deleted axons' streams are dropped at once. */
  async applyRetention(): Promise<RetentionPassReport> {
    this.assertOpen();
    return { axonsTrimmed: 0, eventsTrimmed: 0, axonsPurged: 0 };
  }

  deleteAxon(id: string): Promise<boolean> {
    return this.track(async () => {
      const meta = await this.meta(id);
      if (!meta) return false;
      // Marked first, so no node serves it again even if dropping the stream fails halfway.
      await this.nats(() => this.p.axons.put(id, json({ ...meta, deleted: true })));
      this.forget(id);
      // Appends racing this fail on the missing stream and then find the axon deleted.
      await this.p.jsm.streams
        .delete(axonStream(this.p.names, id))
        .catch((error) => this.p.onWarning?.("dropping a deleted axon's stream failed", error));
      return true;
    });
  }

  private forget(id: string): void {
    this.metas.delete(id);
    this.indexes.delete(id);
    this.lastSeen.delete(id);
    const feed = this.feeds.get(id);
    this.feeds.delete(id);
    void feed?.then((f) => f?.close());
  }

  append(axonId: string, events: readonly EventInput[], options?: AppendOptions): Promise<AppendResult> {
    return this.track(async () => {
      if (events.length === 0) throw new StoreError("an append needs at least one event");
      if (!(await this.meta(axonId))) throw new AxonNotFoundError(axonId);
      return this.serialized(axonId, () => this.appendNow(axonId, events, options));
    });
  }

  private async appendNow(
    axonId: string,
    events: readonly EventInput[],
    options: AppendOptions | undefined,
  ): Promise<AppendResult> {
    const { js, names, idempotency } = this.p;
    const subject = axonSubject(names, axonId);
    const key = options?.idempotencyKey;
    const publishId = newId("pub", this.p.clock, this.p.rng);
    // Stream sequences after which a publish of ours may have landed without us hearing the ack.
    const ambiguousAfter: number[] = [];
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const landed = await this.findLanded(axonId, ambiguousAfter, publishId);
      if (landed) return this.acknowledged(axonId, landed, key);
      const guess = attempt === 0 ? this.lastSeen.get(axonId) : undefined;
      const last = guess ?? (await this.lastCommitUnlessGone(axonId));
      if (!last) throw new AxonNotFoundError(axonId);
      // Order matters: the last commit is read before the idempotency bucket, and every commit but
      // the last has its key in the bucket before the next commit is published (below), so a key
      // is found in one of the two for the axon's whole life. (A guessed last commit is as good:
      // the publish only lands if it still is the last, so it was the last at the bucket read too.)
      let indexed: AppendResult | undefined;
      if (key !== undefined && last.info.idempotencyKey !== key) {
        const entry = await this.nats(() => idempotency.get(idempotencyKvKey(axonId, key)));
        if (entry && entry.operation === "PUT") indexed = parse<AppendResult>(entry.value);
      }
      const decision = decideAppend({ last: last.info, options, indexed, now: this.p.clock.now() });
      // Only the leader's answer may refuse an append: a guess can be behind.
      if (guess && decision.kind === "head_mismatch") continue;
      switch (decision.kind) {
        case "duplicate":
          return decision.result;
        case "head_mismatch":
          throw new ExpectedHeadMismatchError(axonId, options!.expectedHead!, decision.currentHead);
      }
      if (last.info.idempotencyKey !== undefined && !this.keysIndexed.has(`${axonId}/${last.streamSeq}`)) {
        await this.indexIdempotency(axonId, last);
      }
      const info: CommitInfo = {
        first: decision.first,
        count: events.length,
        timestampMs: decision.timestampMs,
        publishId,
        ...(key !== undefined ? { idempotencyKey: key } : {}),
      };
      const body = encodeChunk(
        events.map((e, i) => ({ ...e, axonId, sequence: decision.first + i, timestampMs: info.timestampMs })),
      );
      try {
        const ack = await js.publish(subject, body, {
          headers: encodeCommitInfo(info),
          expect: { lastSequence: last.streamSeq },
        });
        return this.acknowledged(axonId, { streamSeq: ack.seq, info }, key);
      } catch (error) {
        if (isWrongLastSequence(error)) continue;
        if (isRefusal(error)) throw new StoreFailedError(error);
        // Timeout or lost connection: it may have landed. Look for it before trying again.
        ambiguousAfter.push(last.streamSeq);
      }
    }
    throw new StoreFailedError(new Error(`gave up appending to ${axonId} after ${MAX_ATTEMPTS} attempts`));
  }

  /** After the ack: record the key (best effort; the next append on the axon makes sure of it). */
  private async acknowledged(
    axonId: string,
    commit: LastCommit,
    key: string | undefined,
  ): Promise<AppendResult> {
    this.noteLast(axonId, commit);
    if (key !== undefined) {
      await this.indexIdempotency(axonId, commit).catch((error) =>
        this.p.onWarning?.("indexing an idempotency key failed; the next append retries it", error),
      );
    }
    return resultOf(commit.info, false);
  }

  private async indexIdempotency(axonId: string, commit: LastCommit): Promise<void> {
    const kvKey = idempotencyKvKey(axonId, commit.info.idempotencyKey!);
    try {
      await this.p.idempotency.create(kvKey, json(resultOf(commit.info, false)));
    } catch (error) {
      // Already there (by us or another node): fine. Anything else is a real failure.
      const entry = await this.nats(() => this.p.idempotency.get(kvKey));
      if (entry?.operation !== "PUT") throw new StoreFailedError(error);
    }
    if (this.keysIndexed.size >= 65_536) this.keysIndexed.clear();
    this.keysIndexed.add(`${axonId}/${commit.streamSeq}`);
  }

  private noteLast(axonId: string, commit: LastCommit): void {
    const known = this.lastSeen.get(axonId);
    if (known && known.streamSeq >= commit.streamSeq) return;
    if (!known && this.lastSeen.size >= this.indexCapacity)
      this.lastSeen.delete(this.lastSeen.keys().next().value!);
    this.lastSeen.set(axonId, commit);
  }

  /** The commit of ours that landed right after one of `afterSeqs`, if any did. */
  private async findLanded(
    axonId: string,
    afterSeqs: readonly number[],
    publishId: string,
  ): Promise<LastCommit | undefined> {
    for (const after of afterSeqs) {
      // One stream per axon: the commit after `after` is at `after + 1`, whoever wrote it.
      const m = await this.nats(() =>
        this.p.jsm.streams.getMessage(axonStream(this.p.names, axonId), { seq: after + 1 }),
      ).catch((error) => {
        if (isStreamNotFound(error)) return null;
        throw error;
      });
      const info = m && decodeCommitInfo(m.header);
      if (m && info?.publishId === publishId) return { streamSeq: m.seq, info };
    }
    return undefined;
  }

  async read(axonId: string, options: ReadOptions): Promise<StoredEvent[]> {
    this.assertOpen();
    if (!(await this.meta(axonId))) throw new AxonNotFoundError(axonId);
    const last = await this.lastCommitUnlessGone(axonId);
    if (!last) throw new AxonNotFoundError(axonId);
    const head = headAfter(last.info);
    const limit = Math.max(0, options.limit);
    const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    if (limit === 0) return [];
    const descending = options.descending === true;
    const from = descending ? 1 : options.afterSequence + 1;
    const to = descending
      ? (options.afterSequence > 0 ? Math.min(options.afterSequence, head + 1) : head + 1) - 1
      : head;
    if (from > to) return [];
    const index = await this.indexFor(axonId, last.streamSeq);
    const out: StoredEvent[] = [];
    let bytes = 0;
    const step = descending ? -1 : 1;
    let position = index.positionOf(descending ? to : from);
    while (out.length < limit && bytes < maxBytes && position >= 0 && position < index.commits) {
      const window: number[] = [];
      for (let i = 0; i < READ_PARALLELISM && position >= 0 && position < index.commits; i++) {
        window.push(index.streamSeqAt(position));
        position += step;
      }
      const bodies = await Promise.all(window.map((seq) => this.commitBody(axonId, seq)));
      for (const body of bodies) {
        const events = decodeChunk(axonId, body, from, to);
        if (descending) events.reverse();
        for (const e of events) {
          out.push(e);
          bytes += eventSize(e);
          if (out.length >= limit || bytes >= maxBytes) return out;
        }
      }
    }
    return out;
  }

  watch(axonId: string, listener: TailListener): () => void {
    this.assertOpen();
    let set = this.watchers.get(axonId);
    if (!set) {
      set = new Set();
      this.watchers.set(axonId, set);
    }
    set.add(listener);
    if (!this.feeds.has(axonId)) {
      const started = this.startFeed(axonId);
      this.feeds.set(axonId, started);
      // A feed that ended (its axon was deleted) is forgotten, so a later watch starts afresh.
      void started.then((feed) =>
        feed?.finished.then(() => {
          if (this.feeds.get(axonId) === started) this.feeds.delete(axonId);
        }),
      );
    }
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.watchers.get(axonId) === set) {
        this.watchers.delete(axonId);
        const feed = this.feeds.get(axonId);
        this.feeds.delete(axonId);
        void feed?.then((f) => f?.close());
      }
    };
  }

  /**
   * The feed starts after the last commit the leader has when the watch's first request reaches
   * it. A commit landing between `watch()` returning and that moment is not delivered; every
   * follower (catchUpThenLive) reads the store after registering, with a request sent after this
   * one on the same connection, so its read covers that window.
   */
  private async startFeed(axonId: string): Promise<AxonFeed | undefined> {
    try {
      const last = await this.lastCommit(axonId);
      if (!last || this.closed) return undefined;
      const stream = axonStream(this.p.names, axonId);
      const feed = new AxonFeed(
        this.p.js,
        stream,
        last.streamSeq + 1,
        (q, i, b) => this.onCommit(axonId, q, i, b),
        {
          clock: this.p.clock,
          heartbeatMs: this.p.feedHeartbeatMs ?? DEFAULT_FEED_HEARTBEAT_MS,
          onRestart: (reason) =>
            this.p.onWarning?.(`following axon ${axonId} again from a new consumer`, reason),
          // Gone only if its metadata, read afresh, agrees (see lastCommitUnlessGone).
          confirmGone: async () => {
            this.metas.delete(axonId);
            return (await this.meta(axonId)) === undefined;
          },
        },
      );
      // Unwatched (or closed) while starting: stop it again.
      if (this.closed || !this.watchers.has(axonId)) await feed.close();
      return feed;
    } catch (error) {
      this.p.onWarning?.(`following axon ${axonId} failed; its watchers fall back to reads`, error);
      return undefined;
    }
  }

  putRecord(kind: string, id: string, value: unknown): Promise<void> {
    return this.track(async () => {
      await this.nats(() => this.p.records.put(recordKvKey(kind, id), json(value)));
    });
  }

  async getRecord<T>(kind: string, id: string): Promise<T | undefined> {
    this.assertOpen();
    const entry = await this.nats(() => this.p.records.get(recordKvKey(kind, id)));
    return entry && entry.operation === "PUT" ? parse<T>(entry.value) : undefined;
  }

  async listRecords<T>(kind: string): Promise<T[]> {
    this.assertOpen();
    const keys = await this.sortedKeys(this.p.records, `${kind} records`, recordKindFilter(kind));
    const out: T[] = [];
    for (const key of keys) {
      const entry = await this.nats(() => this.p.records.get(key));
      if (entry && entry.operation === "PUT") out.push(parse<T>(entry.value));
    }
    return out;
  }

  deleteRecord(kind: string, id: string): Promise<void> {
    return this.track(async () => {
      await this.nats(() => this.p.records.purge(recordKvKey(kind, id)));
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
    const feeds = [...this.feeds.values()];
    this.feeds.clear();
    await Promise.allSettled(feeds.map(async (f) => (await f)?.close()));
    await this.p.nc.drain().catch(() => this.p.nc.close());
  }

  /** A bucket's keys (under `filter`), sorted; each next key within the read deadline. */
  private async sortedKeys(kv: KV, what: string, filter?: string): Promise<string[]> {
    const keys: string[] = [];
    await this.nats(async () => {
      const source = await kv.keys(filter);
      await forEachWithin(
        source,
        this.readDeadline,
        () => new Error(`listing ${what} stalled`),
        (key) => {
          keys.push(key);
          return true;
        },
      );
    });
    return keys.sort();
  }

  /** Feed callback: keep loaded indexes current and tell watchers, in stream order. */
  private onCommit(axonId: string, streamSeq: number, info: CommitInfo, body: Uint8Array): void {
    this.indexes.get(axonId)?.add(streamSeq, info.first, info.count);
    if (this.lastSeen.has(axonId)) this.noteLast(axonId, { streamSeq, info });
    if (info.count === 0) return;
    const set = this.watchers.get(axonId);
    if (!set || set.size === 0) return;
    const problem = chunkProblem(body);
    if (problem) return; // Readers get DATA_LOSS for it from `read`; watchers fall back to reading.
    const events = decodeChunk(axonId, body);
    for (const listener of set) {
      try {
        listener(events);
      } catch (error) {
        // One watcher's failure must not cost the others this commit (the feed has moved past it).
        this.p.onWarning?.(`a watcher of axon ${axonId} failed on a commit`, error);
      }
    }
  }

  /** The axon's commit index, covering at least `streamSeq` (scanning the subject's headers if needed). */
  private async indexFor(axonId: string, streamSeq: number): Promise<CommitIndex> {
    let index = this.indexes.get(axonId);
    if (index) {
      this.indexes.delete(axonId);
    } else {
      index = new CommitIndex();
    }
    this.indexes.set(axonId, index);
    while (this.indexes.size > this.indexCapacity) this.indexes.delete(this.indexes.keys().next().value!);
    if (index.coveredStreamSeq >= streamSeq) return index;
    const target = index;
    let broken: string | undefined;
    await this.nats(() =>
      scanCommits(
        this.p.js,
        {
          stream: axonStream(this.p.names, axonId),
          subject: axonSubject(this.p.names, axonId),
          fromStreamSeq: target.coveredStreamSeq + 1,
          untilStreamSeq: streamSeq,
        },
        this.readDeadline,
        (c) => {
          if (!c.info) broken = `stream message ${c.streamSeq} is not a commit`;
          else if (!target.add(c.streamSeq, c.info.first, c.info.count))
            broken = `commit at stream sequence ${c.streamSeq} starts at ${c.info.first}, expected ${target.head + 1}`;
          return broken === undefined;
        },
      ),
    );
    if (broken) throw new StoreCorruptionError(axonId, undefined, undefined, broken);
    return target;
  }

  private async commitBody(axonId: string, streamSeq: number): Promise<Uint8Array> {
    const m = await this.nats(() =>
      this.p.jsm.streams.getMessage(axonStream(this.p.names, axonId), { seq: streamSeq }),
    );
    if (!m) {
      throw new StoreCorruptionError(
        axonId,
        undefined,
        undefined,
        `commit at stream sequence ${streamSeq} is gone`,
      );
    }
    const problem = chunkProblem(m.data);
    if (problem)
      throw new StoreCorruptionError(
        axonId,
        undefined,
        undefined,
        `stream sequence ${streamSeq}: ${problem}`,
      );
    return m.data;
  }

  /**
   * The last commit, or undefined if the axon is gone. A stream answering "not found" means gone
   * only if the axon's metadata, read afresh, agrees (deleteAxon marks it before dropping the
   * stream; createAxon makes the stream before the metadata). Otherwise the cluster answered
   * wrongly for an axon that exists — seen under load — and the caller must not be told NOT_FOUND.
   */
  private async lastCommitUnlessGone(axonId: string): Promise<LastCommit | undefined> {
    const last = await this.lastCommit(axonId);
    if (last) return last;
    this.metas.delete(axonId);
    if (!(await this.meta(axonId))) return undefined;
    throw new StoreFailedError(
      new Error(`axon ${axonId} exists but its stream ${axonStream(this.p.names, axonId)} was not found`),
      "the NATS cluster did not find an existing axon's stream (a leader change, or the stream was lost); retry",
    );
  }

  /**
   * Read from the stream leader (not a replica): what every acknowledged append has reached.
   * Undefined when the axon's stream does not exist (never created, or deleted).
   */
  private async lastCommit(axonId: string): Promise<LastCommit | undefined> {
    const m = await this.nats(() =>
      this.p.jsm.streams.getMessage(axonStream(this.p.names, axonId), {
        last_by_subj: axonSubject(this.p.names, axonId),
      }),
    ).catch((error) => {
      if (isStreamNotFound(error)) return null;
      throw error;
    });
    if (!m) return undefined;
    const info = decodeCommitInfo(m.header);
    if (!info)
      throw new StoreCorruptionError(axonId, undefined, undefined, `stream message ${m.seq} is not a commit`);
    return { streamSeq: m.seq, info };
  }

  private async meta(id: string): Promise<AxonMeta | undefined> {
    if (!isSubjectSafeId(id)) return undefined;
    const cached = this.metas.get(id);
    if (cached) return cached;
    const entry = await this.nats(() => this.p.axons.get(id));
    if (entry?.operation !== "PUT") return undefined;
    const meta = parse<AxonMeta>(entry.value);
    if (meta.deleted) return undefined;
    if (this.metas.size >= this.indexCapacity) this.metas.delete(this.metas.keys().next().value!);
    this.metas.set(id, meta);
    return meta;
  }

  private serialized<T>(axonId: string, run: () => Promise<T>): Promise<T> {
    const previous = this.appendChains.get(axonId) ?? Promise.resolve();
    const next = previous.then(run, run);
    const settled = next.catch(() => {});
    this.appendChains.set(axonId, settled);
    void settled.then(() => {
      if (this.appendChains.get(axonId) === settled) this.appendChains.delete(axonId);
    });
    return next;
  }

  private track<T>(run: () => Promise<T>): Promise<T> {
    try {
      this.assertOpen();
    } catch (error) {
      return Promise.reject(error);
    }
    const promise = run();
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise)).catch(() => {});
    return promise;
  }

  /** NATS failures (no quorum, timeouts, lost connection) become StoreFailedError: UNAVAILABLE, retry. */
  private async nats<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof StoreError) throw error;
      if (this.closed) throw new StoreClosedError();
      throw new StoreFailedError(
        error,
        "the NATS cluster did not answer (no quorum, a leader election or a lost connection); retry",
      );
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }
}

function isWrongLastSequence(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamWrongLastSequence;
}

/** The server answered and said no (too big, bad subject...): nothing landed, retrying will not help. */
function isRefusal(error: unknown): boolean {
  return error instanceof JetStreamApiError;
}

function describe(error: unknown): string {
  return String((error as Error)?.message ?? error);
}

function toRecord(meta: AxonMeta, headSequence: number): AxonRecord {
  // Nothing is ever trimmed here, so every axon starts at 1.
  return {
    id: meta.id,
    name: meta.name,
    createdAtMs: meta.createdAtMs,
    labels: meta.labels,
    headSequence,
    firstSequence: 1,
  };
}

/**
 * Per-axon retention is not offered on JetStream yet. A stream's MaxAge/MaxMsgs/MaxBytes count
 * messages, and a message here is a commit of 1..n events (plus the genesis commit the append
 * expectations start from); the commit index and the reads assume no message is ever removed
 * (deny_delete, deny_purge). Mapping it means trimming whole commits and teaching the index a
 * first sequence, so until then retention is refused rather than half-kept.
 */
function refuseRetention(retention: Retention | undefined): void {
  if (!normalizeRetention(retention)) return;
  throw new RetentionUnsupportedError(
    "per-axon retention is not supported by the JetStream store yet (axond --store jetstream); " +
      "create the axon without retention, or use the embedded store",
  );
}
