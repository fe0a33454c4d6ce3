import { Code, ConnectError } from "@connectrpc/connect";
import { AxonFullSchema, EventsTrimmedSchema, ExpectedHeadMismatchSchema } from "@openaxon/protocol";
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

/**
 * OUT_OF_RANGE: the read needed events the axon's retention has trimmed. Nothing was skipped in
 * silence: resume with `afterSequence: firstAvailableSequence - 1` if losing the trimmed range is
 * acceptable, or treat it as lost data. Thrown by `axon.events()` and `axon.subscribe()`; still a
 * ConnectError with code OUT_OF_RANGE.
 */
export class EventsTrimmedError extends ConnectError {
  // The name stays "ConnectError": ConnectError's instanceof check goes by it, and
  // `error instanceof ConnectError` must keep working for code that only looks at the code.

  /** ConnectError's own check accepts any ConnectError-shaped value; this class means the real thing. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(EventsTrimmedError, value);
  }

  constructor(
    cause: ConnectError,
    readonly axonId: string,
    /** The oldest sequence the axon still has. */
    readonly firstAvailableSequence: number,
    readonly headSequence: number,
    /** The first sequence the read needed. */
    readonly requestedSequence: number,
  ) {
    super(cause.rawMessage, cause.code, cause.metadata, undefined, cause);
    this.details = cause.details;
  }
}

/** `error` as an EventsTrimmedError when it is an OUT_OF_RANGE for trimmed events; else `error` itself. */
export function asEventsTrimmed(error: unknown): unknown {
  if (error instanceof EventsTrimmedError) return error;
  if (!(error instanceof ConnectError) || error.code !== Code.OutOfRange) return error;
  const [detail] = error.findDetails(EventsTrimmedSchema);
  if (!detail) return error;
  return new EventsTrimmedError(
    error,
    detail.axonId,
    toSafeNumber(detail.firstSequence, "first_sequence"),
    toSafeNumber(detail.headSequence, "head_sequence"),
    toSafeNumber(detail.requestedSequence, "requested_sequence"),
  );
}

export interface AxonFullInfo {
  readonly axonId: string;
  /** Stored bytes the axon holds. */
  readonly sizeBytes: number;
  /** Stored bytes of the rejected events. */
  readonly incomingBytes: number;
  /** The server's per-axon cap. */
  readonly limitBytes: number;
}

/** The details of a RESOURCE_EXHAUSTED from the per-axon size cap, or undefined for any other error. */
export function axonFull(error: unknown): AxonFullInfo | undefined {
  if (!(error instanceof ConnectError) || error.code !== Code.ResourceExhausted) return undefined;
  const [detail] = error.findDetails(AxonFullSchema);
  if (!detail) return undefined;
  return {
    axonId: detail.axonId,
    sizeBytes: toSafeNumber(detail.sizeBytes, "size_bytes"),
    incomingBytes: toSafeNumber(detail.incomingBytes, "incoming_bytes"),
    limitBytes: toSafeNumber(detail.limitBytes, "limit_bytes"),
  };
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
