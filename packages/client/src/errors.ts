import { Code, ConnectError } from "@connectrpc/connect";
import { ExpectedHeadMismatchSchema } from "@openaxon/protocol";
import { toSafeNumber } from "./convert.js";

// Re-exported so callers can `catch (e) { if (e instanceof ConnectError && e.code === Code.NotFound) … }`
// without depending on @connectrpc/connect themselves.
export { Code, ConnectError };

/**
 * Codes worth retrying a subscription on: the server or the network went away, or the stream was
 * cut (connect-web reports a dropped fetch body or a refused connection as UNKNOWN). Errors that
 * retrying cannot fix — NOT_FOUND, UNAUTHENTICATED, PERMISSION_DENIED, INVALID_ARGUMENT,
 * FAILED_PRECONDITION, … — are not in this list. Anything that is not a ConnectError (a bug, a
 * RangeError from a conversion) is never retried.
 */
const retryableCodes: ReadonlySet<Code> = new Set([
  Code.Unavailable,
  Code.DeadlineExceeded,
  Code.Internal,
  Code.Unknown,
  Code.Aborted,
  Code.Canceled,
  Code.ResourceExhausted,
]);

export function isRetryableError(error: unknown): boolean {
  return error instanceof ConnectError && retryableCodes.has(error.code);
}

const connectionErrorCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "EPIPE",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
]);

/**
 * True when the call never reached a server: connection refused, DNS failure, unreachable host.
 * Node's fetch reports these as `TypeError("fetch failed")` with the system error as its cause;
 * browsers as `TypeError("Failed to fetch")`.
 */
export function isConnectionError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && connectionErrorCodes.has(code)) return true;
    if (
      current instanceof TypeError &&
      /^(fetch failed|Failed to fetch|NetworkError|Load failed)/.test(current.message)
    ) {
      return true;
    }
    current = current.cause;
  }
  return false;
}

export interface ExpectedHeadMismatchInfo {
  readonly axonId: string;
  readonly expectedHead: number;
  readonly currentHead: number;
}

/** The details of a FAILED_PRECONDITION caused by `expectedHead`, or undefined for any other error. */
export function expectedHeadMismatch(error: unknown): ExpectedHeadMismatchInfo | undefined {
  if (!(error instanceof ConnectError) || error.code !== Code.FailedPrecondition) return undefined;
  const [detail] = error.findDetails(ExpectedHeadMismatchSchema);
  if (!detail) return undefined;
  return {
    axonId: detail.axonId,
    expectedHead: toSafeNumber(detail.expectedHead, "expected_head"),
    currentHead: toSafeNumber(detail.currentHead, "current_head"),
  };
}
