/** A runtime's lease as the store holds it: who wrote it last, and the revision (the fencing token). */
export interface LeaseRecord {
  readonly holder: string;
  readonly revision: number;
}

/**
 * Where runtime leases live: one key per runtime with revision-checked writes and a max age of one
 * ttl, shared by every node (in axond, a JetStream KV bucket). A write that loses a race answers
 * undefined; a write that throws may or may not have landed (the caller assumes nothing).
 */
export interface LeaseStore {
  /** Every lease present now, by runtime id. */
  list(): Promise<ReadonlyMap<string, LeaseRecord>>;
  /** Writes a lease naming `holder` if its revision is `expectRevision` (0: absent); the new revision, or undefined. */
  write(runtimeId: string, holder: string, expectRevision: number): Promise<number | undefined>;
  /** Deletes the lease if it is still at `revision`. */
  release(runtimeId: string, revision: number): Promise<void>;
}
