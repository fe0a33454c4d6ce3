/**
 * Small named records for other subsystems (runtimes, policies, secrets), kept durably beside the
 * event log but apart from it: no sequences, no watch, last write wins. `KvLogStore` implements it
 * together with `LogStore`.
 */
export interface RecordStore {
  putRecord(kind: string, id: string, value: unknown): Promise<void>;
  getRecord<T>(kind: string, id: string): Promise<T | undefined>;
  /** A kind's records in id order. */
  listRecords<T>(kind: string): Promise<T[]>;
  deleteRecord(kind: string, id: string): Promise<void>;
}
