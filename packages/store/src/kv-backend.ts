/**
 * The ordered key-value layer under the log store. classic-level in production; the simulation
 * supplies one that separates volatile from durable writes so it can model a power cut, while the
 * sequencer, group commit and idempotency logic above it stay the production code.
 */
export type KvOp =
  | { readonly type: "put"; readonly key: string; readonly value: Uint8Array }
  | { readonly type: "del"; readonly key: string };

export interface KvRange {
  readonly gt?: string;
  readonly gte?: string;
  readonly lt?: string;
  readonly reverse?: boolean;
  readonly limit?: number;
}

export interface KvBackend {
  get(key: string): Promise<Uint8Array | undefined>;
  /** Applies all ops atomically; resolves only once they are durable (fsync). */
  writeDurable(ops: readonly KvOp[]): Promise<void>;
  /** Entries in key order (or reverse), at most `limit`. */
  entries(range: KvRange): Promise<Array<[string, Uint8Array]>>;
  /** Values only, in key order (or reverse), at most `limit`: the replay hot path. */
  values(range: KvRange): Promise<Uint8Array[]>;
  close(): Promise<void>;
  /**
   * Closes and opens the underlying database again, clearing a failed state (LevelDB refuses every
   * write after one failed until reopened). Optional: backends without such a state omit it.
   */
  reopen?(): Promise<void>;
  /**
   * Compacts the key range so space held by deleted keys goes back to the file system (LevelDB
   * frees it only when compaction rewrites the tables). Optional: memory backends omit it.
   */
  compact?(range: { readonly gte: string; readonly lt: string }): Promise<void>;
}
