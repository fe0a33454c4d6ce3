export type {
  HostMirrorHeadReply,
  HostReplyStep,
  HostRunReply,
  SqlHostEvents,
  SqlHostPaths,
  SqlHostPort,
  SqlHostRequest,
} from "./host-protocol.js";
export { KeyedQueue } from "./keyed-queue.js";
export { SqlDatabases, type SqlDatabasesOptions } from "./sql-databases.js";
export {
  SqlAxonNotFoundError,
  SqlDatabaseFullError,
  SqlInterruptedError,
  SqlStatementError,
  SqlUnavailableError,
} from "./sql-errors.js";
export { SqlHostError } from "./sql-host.js";
export { DEFAULT_SQL_LIMITS, type SqlLimits } from "./sql-limits.js";
export type {
  SqlBatchResult,
  SqlColumn,
  SqlFailure,
  SqlResult,
  SqlStatement,
  SqlValue,
} from "./sql-value.js";
export { checkStatement, EVENTS_VIEW, isReadOnlyStatement, type StatementCheck } from "./statement-check.js";
