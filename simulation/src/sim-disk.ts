import type { KvBackend, KvOp, KvRange } from "@openaxon/store";
import { MemoryBackend } from "@openaxon/store";

interface PendingSync {
  readonly id: number;
  readonly ops: readonly KvOp[];
  readonly resolve: () => void;
}

export interface CrashReport {
  /** Writes issued and not yet acknowledged when the power went. */
  readonly inFlight: number;
  /** Of those, how many had reached the platter (a prefix, in write order). */
  readonly survived: number;
}

const never = <T>(): Promise<T> => new Promise<T>(() => {});

/**
 * The simulated disk under one node, across its crashes. It keeps two states:
 *
 * - durable: what is on the platter and survives a power cut;
 * - visible: durable plus writes issued but not yet synced — what reads see (an adversarial model:
 *   LevelDB hides a sync write until it is logged, this disk shows it at once, so the store's own
 *   "reads are bounded by the durable head" rule is what keeps unsynced events from readers).
 *
 * `writeDurable` applies to the visible state and waits for `syncNext()`, which the scheduler calls
 * when it decides the fsync completes; writes complete in issue order. `crash(survivors)` is a power
 * cut: the first `survivors` in-flight writes made it to the platter, the rest are lost, and the
 * visible state falls back to the durable one. Every in-flight write fails in the only way a power
 * cut fails it: its caller never hears back — the process is gone, so the dead process's backend
 * never answers anything again (rejecting would let a dead process run code). `open()` gives the
 * next process a fresh backend on the durable state.
 */
export class SimDisk {
  private readonly durable = new MemoryBackend();
  private visible = new MemoryBackend();
  private pending: PendingSync[] = [];
  private current: SimBackend | undefined;
  private nextSyncId = 1;
  /** Bumped whenever the durable state changes, so readers can cache what they decoded. */
  durableVersion = 0;

  /** The backend for a newly started process. */
  open(): SimBackend {
    if (this.current && !this.current.dead) throw new Error("the disk is already open by a live process");
    this.current = new SimBackend(this);
    return this.current;
  }

  get pendingSyncs(): number {
    return this.pending.length;
  }

  /** Every write in flight, oldest first: what a power cut now may lose. */
  get inFlight(): readonly (readonly KvOp[])[] {
    return this.pending.map((p) => p.ops);
  }

  /** The write the next `syncNext` completes: its number and its ops, for traces. */
  get nextSync(): { readonly id: number; readonly ops: readonly KvOp[] } | undefined {
    const next = this.pending[0];
    return next && { id: next.id, ops: next.ops };
  }

  /** Completes the oldest in-flight write: it is durable, then its caller hears so. */
  syncNext(): boolean {
    const next = this.pending.shift();
    if (!next) return false;
    this.durable.apply(next.ops);
    this.durableVersion++;
    next.resolve();
    return true;
  }

  /** Power cut. */
  crash(survivors: number): CrashReport {
    const inFlight = this.pending;
    this.pending = [];
    const survived = Math.min(Math.max(0, survivors), inFlight.length);
    for (const write of inFlight.slice(0, survived)) this.durable.apply(write.ops);
    this.durableVersion++;
    this.visible = copyOf(this.durable);
    if (this.current) this.current.dead = true;
    this.current = undefined;
    return { inFlight: inFlight.length, survived };
  }

  /** A read-only copy of what is on the platter (for invariant checks). */
  durableSnapshot(): MemoryBackend {
    return copyOf(this.durable);
  }

  /** What is on the platter, live (callers must not write to it). */
  durableState(): MemoryBackend {
    return this.durable;
  }

  /** A read-only copy of what reads currently see. */
  visibleSnapshot(): MemoryBackend {
    return copyOf(this.visible);
  }

  /** @internal the live backend's view */
  read(): MemoryBackend {
    return this.visible;
  }

  /** @internal */
  write(ops: readonly KvOp[]): Promise<void> {
    this.visible.apply(ops);
    return new Promise((resolve) => {
      this.pending.push({ id: this.nextSyncId++, ops, resolve });
    });
  }

  /** @internal a clean close: the process ends, nothing is in flight (the store waits for its commits). */
  closed(backend: SimBackend): void {
    if (this.current === backend) this.current = undefined;
  }
}

function copyOf(source: MemoryBackend): MemoryBackend {
  const copy = new MemoryBackend();
  copy.apply([...source.snapshot()].map(([key, value]) => ({ type: "put" as const, key, value })));
  return copy;
}

/** One process's handle on the SimDisk: a KvBackend that goes silent when its process dies. */
export class SimBackend implements KvBackend {
  dead = false;
  private closedFlag = false;

  constructor(private readonly disk: SimDisk) {}

  get(key: string): Promise<Uint8Array | undefined> {
    return this.dead ? never() : this.disk.read().get(key);
  }

  writeDurable(ops: readonly KvOp[]): Promise<void> {
    if (this.dead) return never();
    if (this.closedFlag) return Promise.reject(new Error("backend closed"));
    return this.disk.write(ops);
  }

  entries(range: KvRange): Promise<Array<[string, Uint8Array]>> {
    return this.dead ? never() : this.disk.read().entries(range);
  }

  values(range: KvRange): Promise<Uint8Array[]> {
    return this.dead ? never() : this.disk.read().values(range);
  }

  async close(): Promise<void> {
    if (this.dead || this.closedFlag) return;
    this.closedFlag = true;
    this.disk.closed(this);
  }
}
