import type { LeaseStore } from "@openaxon/runtime";
import type {
  AppendOptions,
  AppendResult,
  AxonRecord,
  AxonUpdate,
  EventInput,
  ListAxonsOptions,
  LogStore,
  ReadOptions,
  RecordStore,
  Retention,
  RetentionPassReport,
  StoredEvent,
  StoreHealth,
  TailListener,
} from "@openaxon/store";

/**
 * Record kinds that belong to this node, not the cluster: its host identity (the marker of its
 * agent processes, and its name in runtime leases). Runtimes are shared: the node holding a
 * runtime's lease hosts it, and another takes it over when that node dies.
 */
export const NODE_LOCAL_RECORD_KINDS: ReadonlySet<string> = new Set(["runtime_host"]);

/**
 * The cluster's store for axons, events and shared records (secrets, policies, gateway configs),
 * with the node-local record kinds kept in this node's data dir. Closing closes both.
 */
export class NodeLocalRecords implements LogStore, RecordStore {
  constructor(
    private readonly shared: LogStore & RecordStore,
    private readonly local: LogStore & RecordStore,
    /** The cluster's runtime leases, for the runtime manager. */
    readonly runtimeLeases?: LeaseStore,
    private readonly localKinds: ReadonlySet<string> = NODE_LOCAL_RECORD_KINDS,
  ) {}

  private records(kind: string): RecordStore {
    return this.localKinds.has(kind) ? this.local : this.shared;
  }

  createAxon(input: {
    name: string;
    labels: Record<string, string>;
    retention?: Retention;
  }): Promise<AxonRecord> {
    return this.shared.createAxon(input);
  }
  updateAxon(id: string, update: AxonUpdate): Promise<AxonRecord | undefined> {
    return this.shared.updateAxon(id, update);
  }
  /** The shared store's pass: the local store holds no axons in cluster mode. */
  applyRetention(): Promise<RetentionPassReport> {
    return this.shared.applyRetention();
  }
  getAxon(id: string): Promise<AxonRecord | undefined> {
    return this.shared.getAxon(id);
  }
  listAxons(options: ListAxonsOptions): Promise<AxonRecord[]> {
    return this.shared.listAxons(options);
  }
  deleteAxon(id: string): Promise<boolean> {
    return this.shared.deleteAxon(id);
  }
  append(axonId: string, events: readonly EventInput[], options?: AppendOptions): Promise<AppendResult> {
    return this.shared.append(axonId, events, options);
  }
  read(axonId: string, options: ReadOptions): Promise<StoredEvent[]> {
    return this.shared.read(axonId, options);
  }
  watch(axonId: string, listener: TailListener): () => void {
    return this.shared.watch(axonId, listener);
  }
  putRecord(kind: string, id: string, value: unknown): Promise<void> {
    return this.records(kind).putRecord(kind, id, value);
  }
  getRecord<T>(kind: string, id: string): Promise<T | undefined> {
    return this.records(kind).getRecord<T>(kind, id);
  }
  listRecords<T>(kind: string): Promise<T[]> {
    return this.records(kind).listRecords<T>(kind);
  }
  deleteRecord(kind: string, id: string): Promise<void> {
    return this.records(kind).deleteRecord(kind, id);
  }
  async health(): Promise<StoreHealth> {
    for (const store of [this.shared, this.local]) {
      const health = (await store.health?.()) ?? { status: "ok" };
      if (health.status !== "ok") return health;
    }
    return { status: "ok" };
  }
  async close(): Promise<void> {
    await Promise.allSettled([this.shared.close(), this.local.close()]);
  }
}
