export { type CommitInfo, decodeCommitInfo, encodeCommitInfo } from "./commit-headers.js";
export { CommitIndex } from "./commit-index.js";
export { type AppendDecision, decideAppend } from "./decide-append.js";
export {
  type JetStreamLease,
  JetStreamLeaseStore,
  openJetStreamLeaseStore,
} from "./jetstream-lease-store.js";
export { JetStreamLogStore, type JetStreamLogStoreParts } from "./jetstream-log-store.js";
export { namesFor } from "./names.js";
export { type OpenJetStreamLogStoreOptions, openJetStreamLogStore } from "./open-jetstream-log-store.js";
