/**
 * Something the operator must fix before axond can start — a bad flag, a data dir in use — reported
 * as one clear line rather than a stack trace.
 */
export class StartupError extends Error {
  override name = "StartupError";
}
