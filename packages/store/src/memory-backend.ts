import type { KvBackend, KvOp, KvRange } from "./kv-backend.js";

/**
 * An in-memory KvBackend for unit tests and as the base of the simulation's power-cut model.
 * Keys are kept sorted so range reads behave like LevelDB's.
 */
export class MemoryBackend implements KvBackend {
  private readonly map = new Map<string, Uint8Array>();
  private sortedKeys: string[] | undefined = [];

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.map.get(key);
  }

  async writeDurable(ops: readonly KvOp[]): Promise<void> {
    this.apply(ops);
  }

  /** Applies ops synchronously (used by subclasses that model durability). */
  apply(ops: readonly KvOp[]): void {
    for (const op of ops) {
      if (op.type === "put") {
        if (!this.map.has(op.key)) this.sortedKeys = undefined;
        this.map.set(op.key, op.value);
      } else if (this.map.delete(op.key)) {
        this.sortedKeys = undefined;
      }
    }
  }

  /** A copy of every entry, for snapshots. */
  snapshot(): Map<string, Uint8Array> {
    return new Map(this.map);
  }

  async entries(range: KvRange): Promise<Array<[string, Uint8Array]>> {
    return this.select(range).map((key) => [key, this.map.get(key)!]);
  }

  async values(range: KvRange): Promise<Uint8Array[]> {
    return this.select(range).map((key) => this.map.get(key)!);
  }

  async close(): Promise<void> {}

  private select(range: KvRange): string[] {
    if (!this.sortedKeys) this.sortedKeys = [...this.map.keys()].sort();
    const inRange = this.sortedKeys.filter(
      (k) =>
        (range.gt === undefined || k > range.gt) &&
        (range.gte === undefined || k >= range.gte) &&
        (range.lt === undefined || k < range.lt),
    );
    if (range.reverse) inRange.reverse();
    return range.limit !== undefined && range.limit >= 0 ? inRange.slice(0, range.limit) : inRange;
  }
}
