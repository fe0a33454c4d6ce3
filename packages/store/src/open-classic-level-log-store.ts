import { type Clock, type Rng, systemClock, systemRng } from "@openaxon/core";
import { ClassicLevelBackend } from "./classic-level-backend.js";
import { KvLogStore } from "./kv-log-store.js";
import type { StoreObserver } from "./store-observer.js";

export interface OpenClassicLevelLogStoreOptions {
  /** Directory of the LevelDB database; created if missing. */
  readonly path: string;
  readonly clock?: Clock;
  readonly rng?: Rng;
  /** See KvLogStoreOptions.axonCacheCapacity. */
  readonly axonCacheCapacity?: number;
  /** See KvLogStoreOptions.maxAxonBytes (default 10 GiB). */
  readonly maxAxonBytes?: number;
  /** See KvLogStoreOptions.observer. */
  readonly observer?: StoreObserver;
  /** See ClassicLevelBackendOptions.journalBytes (default 8 MiB). */
  readonly journalBytes?: number;
}

/** The embedded production store: the LogStore on classic-level in `path`. */
export async function openClassicLevelLogStore(
  options: OpenClassicLevelLogStoreOptions,
): Promise<KvLogStore> {
  const backend = await ClassicLevelBackend.open(options.path, {
    ...(options.journalBytes !== undefined && { journalBytes: options.journalBytes }),
  });
  return new KvLogStore({
    backend,
    clock: options.clock ?? systemClock,
    rng: options.rng ?? systemRng,
    axonCacheCapacity: options.axonCacheCapacity,
    ...(options.maxAxonBytes !== undefined && { maxAxonBytes: options.maxAxonBytes }),
    ...(options.observer && { observer: options.observer }),
  });
}
