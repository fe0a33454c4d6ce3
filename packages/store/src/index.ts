export { catchUpThenLive, type FollowItem, type FollowOptions } from "./catch-up-then-live.js";
export { ChunkCursor } from "./chunk-cursor.js";
export { type ChunkPage, type ChunkSlice, chunkPageEvents } from "./chunk-page.js";
export { ClassicLevelBackend, type ClassicLevelBackendOptions } from "./classic-level-backend.js";
export { decideStoreOpen, type StoreOpenDecision } from "./decide-store-open.js";
export {
  AxonFullError,
  AxonNotFoundError,
  EventsTrimmedError,
  ExpectedHeadMismatchError,
  RetentionUnsupportedError,
  StoreClosedError,
  StoreCorruptionError,
  StoreError,
  StoreFailedError,
  StoreRefusedError,
} from "./errors.js";
// The commit encoding (checksummed), shared with the JetStream store so both stores write one format.
export { chunkProblem, decodeChunk, encodeChunk } from "./event-codec.js";
export { GroupCommit } from "./group-commit.js";
export type { KvBackend, KvOp, KvRange } from "./kv-backend.js";
export { DEFAULT_MAX_AXON_BYTES, KvLogStore, type KvLogStoreOptions } from "./kv-log-store.js";
export {
  type AppendOptions,
  type AppendResult,
  type AxonRecord,
  type AxonUpdate,
  type EventInput,
  eventSize,
  type ListAxonsOptions,
  type LogStore,
  Origin,
  type ReadOptions,
  type Retention,
  type RetentionPassReport,
  type StoredEvent,
  type StoreHealth,
  storedEventBytes,
  type TailListener,
} from "./log-store.js";
export { MemoryBackend } from "./memory-backend.js";
export {
  type OpenClassicLevelLogStoreOptions,
  openClassicLevelLogStore,
} from "./open-classic-level-log-store.js";
export type { RecordStore } from "./record-store.js";
export { decideTrim, keepsEverything, normalizeRetention, type TrimCandidate } from "./retention-decision.js";
export type { DurableWrite, StoreObserver } from "./store-observer.js";
export { formatVerifyReport, type VerifyProblem, type VerifyReport } from "./verify-report.js";
export { type VerifyOutcome, verifyStore } from "./verify-store.js";
