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
  TailListener,
} from "@openaxon/store";
import { RuntimeFencedError } from "./runtime-fenced-error.js";

/**
 * The store as one hosted runtime sees it: reads pass, and every write (its brokers' events, its
 * record) first checks that this node still holds the runtime's lease. A node whose lease lapsed
 * therefore writes nothing more for the runtime, even before its lease loop notices and stops it.
 */
export class FencedStore implements LogStore, RecordStore {
  constructor(
    private readonly inner: LogStore & RecordStore,
    private readonly runtimeId: string,
    private readonly holds: () => boolean,
  ) {}

  /** Throws inside the async methods, so a refused write is a rejected promise like any failed one. */
  private guard(): void {
    if (!this.holds()) throw new RuntimeFencedError(this.runtimeId);
  }

  async createAxon(input: {
    name: string;
    labels: Record<string, string>;
    retention?: Retention;
  }): Promise<AxonRecord> {
    this.guard();
    return this.inner.createAxon(input);
  }
  async updateAxon(id: string, update: AxonUpdate): Promise<AxonRecord | undefined> {
    this.guard();
    return this.inner.updateAxon(id, update);
  }
  async applyRetention(): Promise<RetentionPassReport> {
    this.guard();
    return this.inner.applyRetention();
  }
  async deleteAxon(id: string): Promise<boolean> {
    this.guard();
    return this.inner.deleteAxon(id);
  }
  async append(
    axonId: string,
    events: readonly EventInput[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    this.guard();
    return this.inner.append(axonId, events, options);
  }
  async putRecord(kind: string, id: string, value: unknown): Promise<void> {
    this.guard();
    return this.inner.putRecord(kind, id, value);
  }
  async deleteRecord(kind: string, id: string): Promise<void> {
    this.guard();
    return this.inner.deleteRecord(kind, id);
  }
  getAxon(id: string): Promise<AxonRecord | undefined> {
    return this.inner.getAxon(id);
  }
  listAxons(options: ListAxonsOptions): Promise<AxonRecord[]> {
    return this.inner.listAxons(options);
  }
  read(axonId: string, options: ReadOptions): Promise<StoredEvent[]> {
    return this.inner.read(axonId, options);
  }
  watch(axonId: string, listener: TailListener): () => void {
    return this.inner.watch(axonId, listener);
  }
  getRecord<T>(kind: string, id: string): Promise<T | undefined> {
    return this.inner.getRecord<T>(kind, id);
  }
  listRecords<T>(kind: string): Promise<T[]> {
    return this.inner.listRecords<T>(kind);
  }
  /** Not the runtime's to close: the store is the server's. */
  async close(): Promise<void> {}
}
