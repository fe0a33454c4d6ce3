import type { MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  type AppendResponseSchema,
  AxonFullSchema,
  ExpectedHeadMismatchSchema,
  PayloadTooLargeSchema,
} from "@openaxon/protocol";
import type { AppendResult } from "@openaxon/store";
import type { Logger } from "pino";
import { toConnectError } from "./errors.js";

export type AppendResponseInit = MessageInitShape<typeof AppendResponseSchema>;

/**
 * What one batch of an append session came to: durable (an ack), rejected before anything was
 * written (a per-batch error response; the session goes on), or an error that ends the session
 * because the batch's outcome is unknown. Acks carry the store's result, so the raw HTTP/2 path
 * (append-fast-path.ts) can encode them without building a message first.
 */
export type AppendOutcome =
  | { readonly kind: "ack"; readonly batchId: bigint; readonly result: AppendResult }
  | { readonly kind: "rejected"; readonly response: AppendResponseInit }
  | { readonly kind: "fatal"; readonly error: ConnectError };

/** Codes that mean "rejected, nothing written": safe to report per batch and carry on. */
const REJECTED = new Set<Code>([
  Code.InvalidArgument,
  Code.NotFound,
  Code.PermissionDenied,
  Code.ResourceExhausted,
  Code.FailedPrecondition,
]);

/** The response for an outcome that does not end the session. */
export function outcomeResponse(outcome: Exclude<AppendOutcome, { kind: "fatal" }>): AppendResponseInit {
  return outcome.kind === "rejected" ? outcome.response : ackResponse(outcome.batchId, outcome.result);
}

/** The AppendResponse acknowledging a durable batch. */
export function ackResponse(batchId: bigint, result: AppendResult): AppendResponseInit {
  return {
    batchId,
    result: {
      case: "ack",
      value: {
        firstSequence: BigInt(result.firstSequence),
        lastSequence: BigInt(result.lastSequence),
        timestampMs: BigInt(result.timestampMs),
        duplicate: result.duplicate,
      },
    },
  };
}

/** Decides from the error a batch failed with whether the session can go on. */
export function errorOutcome(batchId: bigint, error: unknown, logger: Logger): AppendOutcome {
  const connectError = toConnectError(error, logger, "Append");
  if (!REJECTED.has(connectError.code)) return { kind: "fatal", error: connectError };
  let expectedHeadMismatch: MessageInitShape<typeof ExpectedHeadMismatchSchema> | undefined;
  let payloadTooLarge: MessageInitShape<typeof PayloadTooLargeSchema> | undefined;
  let axonFull: MessageInitShape<typeof AxonFullSchema> | undefined;
  for (const detail of connectError.details) {
    if (!("desc" in detail)) continue;
    if (detail.desc.typeName === ExpectedHeadMismatchSchema.typeName) {
      expectedHeadMismatch = detail.value as MessageInitShape<typeof ExpectedHeadMismatchSchema>;
    } else if (detail.desc.typeName === PayloadTooLargeSchema.typeName) {
      payloadTooLarge = detail.value as MessageInitShape<typeof PayloadTooLargeSchema>;
    } else if (detail.desc.typeName === AxonFullSchema.typeName) {
      axonFull = detail.value as MessageInitShape<typeof AxonFullSchema>;
    }
  }
  return {
    kind: "rejected",
    response: {
      batchId,
      result: {
        case: "error",
        value: {
          code: connectError.code,
          message: connectError.rawMessage,
          ...(expectedHeadMismatch && { expectedHeadMismatch }),
          ...(payloadTooLarge && { payloadTooLarge }),
          ...(axonFull && { axonFull }),
        },
      },
    },
  };
}

export function shuttingDown(): ConnectError {
  return new ConnectError(
    "the server is shutting down; batches acknowledged so far are durable, reconnect to send the rest",
    Code.Unavailable,
  );
}
