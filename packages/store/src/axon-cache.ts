/**
 * The store's per-axon in-memory state (metadata and sequencer), bounded: an LRU of `capacity`
 * entries, so idle axons leave memory and are reloaded from disk on next use.
 *
 * Eviction must never let two sequencers exist for one axon (two heads would reuse a sequence).
 * An evicted entry is therefore kept through a WeakRef to its `anchor` (the sequencer): anything
 * still using it (an append awaiting its lock, a commit waiting for fsync whose callback holds the
 * sequencer) keeps it reachable, and a lookup revives it instead of loading from disk. Only an
 * entry nothing references can be collected, and then no write is in flight, so the head recovered
 * from disk is the true one. Entries still loading are never evicted (their loaders hold them).
 */
export class AxonCache<V extends object> {
  /** In LRU order, oldest first. `settled` is false while loading. */
  private readonly live = new Map<
    string,
    { promise: Promise<V | undefined>; value: V | undefined; settled: boolean }
  >();
  private readonly evicted = new Map<string, WeakRef<object>>();
  /** Evicted values by anchor: an ephemeron, so a value lives exactly as long as its anchor. */
  private readonly byAnchor = new WeakMap<object, V>();
  private readonly cleanup = new FinalizationRegistry<string>((id) => {
    if (this.evicted.get(id)?.deref() === undefined) this.evicted.delete(id);
  });

  constructor(
    readonly capacity: number,
    private readonly anchor: (value: V) => object,
  ) {
    if (!(capacity >= 1)) throw new RangeError(`axon cache capacity must be at least 1, got ${capacity}`);
  }

  /** Entries held strongly (at most `capacity`, plus any still loading). */
  get size(): number {
    return this.live.size;
  }

  /** The entry for `id` (now the most recently used), reviving an evicted one still in use. */
  get(id: string): Promise<V | undefined> | undefined {
    const hit = this.live.get(id);
    if (hit) {
      this.live.delete(id);
      this.live.set(id, hit);
      return hit.promise;
    }
    const anchor = this.evicted.get(id)?.deref();
    const revived = anchor && this.byAnchor.get(anchor);
    if (!revived) return undefined;
    const promise = Promise.resolve(revived);
    this.put(id, { promise, value: revived, settled: true });
    return promise;
  }

  /** Caches a loading (or loaded) entry; a rejected load is dropped so the next lookup retries. */
  set(id: string, loading: Promise<V | undefined>): void {
    const entry = { promise: loading, value: undefined as V | undefined, settled: false };
    this.put(id, entry);
    loading.then(
      (value) => {
        entry.value = value;
        entry.settled = true;
        this.evictExcess();
      },
      () => {
        if (this.live.get(id) === entry) this.live.delete(id);
      },
    );
  }

  /** Forgets every entry, evicted ones too: after a store recovery no old sequencer may come back. */
  clear(): void {
    this.live.clear();
    this.evicted.clear();
  }

  delete(id: string): void {
    this.live.delete(id);
    this.evicted.delete(id);
  }

  private put(
    id: string,
    entry: { promise: Promise<V | undefined>; value: V | undefined; settled: boolean },
  ) {
    this.evicted.delete(id);
    this.live.delete(id);
    this.live.set(id, entry);
    this.evictExcess();
  }

  private evictExcess(): void {
    let excess = this.live.size - this.capacity;
    if (excess <= 0) return;
    for (const [id, entry] of this.live) {
      if (excess === 0) return;
      if (!entry.settled) continue;
      this.live.delete(id);
      excess--;
      if (entry.value) {
        const anchor = this.anchor(entry.value);
        this.byAnchor.set(anchor, entry.value);
        this.evicted.set(id, new WeakRef(anchor));
        this.cleanup.register(anchor, id);
      }
    }
  }
}
