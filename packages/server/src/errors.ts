import { Code, ConnectError } from "@connectrpc/connect";
import { AxonFullSchema, EventsTrimmedSchema, ExpectedHeadMismatchSchema } from "@openaxon/protocol";
import {
  AxonFullError,
  AxonNotFoundError,
  EventsTrimmedError,
  ExpectedHeadMismatchError,
  RetentionUnsupportedError,
  StoreClosedError,
  StoreCorruptionError,
  StoreFailedError,
} from "@openaxon/store";
import type { Logger } from "pino";

export function invalidArgument(message: string): ConnectError {
  return new ConnectError(message, Code.InvalidArgument);
}

/** Bytes after the one message of a unary (or server-streaming) request: both servings say this. */
export function extraInputError(bytes: number): ConnectError {
  return invalidArgument(
    `protocol error: ${bytes} bytes follow the request message; this method takes exactly one message`,
  );
}

export function axonNotFound(axonId: string): ConnectError {
  return new ConnectError(
    `axon ${axonId} not found (it never existed or was deleted); list axons with ListAxons`,
    Code.NotFound,
  );
}

/**
 * Maps whatever an RPC threw to the ConnectError the client sees. Store errors get their documented
 * codes; anything unexpected becomes INTERNAL with a generic message (logged here with its cause),
 * so internals never leak to clients.
 */
export function toConnectError(error: unknown, logger: Logger, rpc: string): ConnectError {
  if (error instanceof ConnectError) return error;
  if (error instanceof AxonNotFoundError) return axonNotFound(error.axonId);
  if (error instanceof ExpectedHeadMismatchError) {
    return new ConnectError(
      `expected_head is ${error.expectedHead} but axon ${error.axonId} is at head ${error.currentHead}; ` +
        `read the events after ${error.expectedHead} and retry with expected_head=${error.currentHead}`,
      Code.FailedPrecondition,
      undefined,
      [
        {
          desc: ExpectedHeadMismatchSchema,
          value: {
            axonId: error.axonId,
            expectedHead: BigInt(error.expectedHead),
            currentHead: BigInt(error.currentHead),
          },
        },
      ],
    );
  }
  if (error instanceof EventsTrimmedError) {
    // Like Durable Streams' 410 for a trimmed range: the reader learns where the log now starts.
    return new ConnectError(
      `events of axon ${error.axonId} before sequence ${error.firstSequence} were removed by its retention ` +
        `(this read needed ${error.requestedSequence}); the first available sequence is ${error.firstSequence}: ` +
        `resume with after_sequence=${error.firstSequence - 1}`,
      Code.OutOfRange,
      undefined,
      [
        {
          desc: EventsTrimmedSchema,
          value: {
            axonId: error.axonId,
            firstSequence: BigInt(error.firstSequence),
            headSequence: BigInt(error.headSequence),
            requestedSequence: BigInt(error.requestedSequence),
          },
        },
      ],
    );
  }
  if (error instanceof AxonFullError) {
    return new ConnectError(
      `axon ${error.axonId} holds ${error.sizeBytes} bytes and these events (${error.incomingBytes} bytes) would take ` +
        `it past this server's per-axon cap of ${error.limitBytes} bytes; nothing was written. Give the axon a ` +
        "retention (UpdateAxon, e.g. axon update --max-bytes) or delete it to make room",
      Code.ResourceExhausted,
      undefined,
      [
        {
          desc: AxonFullSchema,
          value: {
            axonId: error.axonId,
            sizeBytes: BigInt(error.sizeBytes),
            incomingBytes: BigInt(error.incomingBytes),
            limitBytes: BigInt(error.limitBytes),
          },
        },
      ],
    );
  }
  if (error instanceof RetentionUnsupportedError) {
    return new ConnectError(error.message, Code.FailedPrecondition);
  }
  if (error instanceof StoreFailedError) {
    logger.error({ rpc, err: error }, "store failed");
    return new ConnectError(
      `the server's store cannot write (${describeCause(error.cause)}); it retries by itself, ` +
        "so retry later (GET /healthz says when it is back)",
      Code.Unavailable,
    );
  }
  if (error instanceof StoreCorruptionError) {
    logger.error({ rpc, err: error, axonId: error.axonId }, "store data is damaged");
    return new ConnectError(`${error.message}; run axond verify --data-dir on this server`, Code.DataLoss);
  }
  if (error instanceof StoreClosedError) {
    return new ConnectError("the server is shutting down; retry later", Code.Unavailable);
  }
  logger.error({ rpc, err: error }, "unexpected error");
  return new ConnectError("internal error", Code.Internal, undefined, undefined, error);
}

function describeCause(cause: unknown): string {
  const e = cause as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  return e?.cause?.message ?? e?.message ?? String(cause);
}
