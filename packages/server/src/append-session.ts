import { AxonService } from "@openaxon/protocol";
import { eventSize, type LogStore } from "@openaxon/store";
import type { Logger } from "pino";
import { AckPipeline } from "./ack-pipeline.js";
import type { Principal } from "./api-keys.js";
import {
  type AppendOutcome,
  type AppendResponseInit,
  errorOutcome,
  outcomeResponse,
  shuttingDown,
} from "./append-outcome.js";
import { scopeError } from "./scope-interceptor.js";
import { type PublishBatchFields, validatePublishBatchRequest } from "./validate-publish.js";

/** Default per-session limit of received-but-unacknowledged event bytes (see `requestBytes`). */
export const DEFAULT_MAX_UNACKED_BYTES = 16 * 1024 * 1024;

/** One batch of a session as either path decodes it (protobuf-es or append-request-wire.ts). */
export type AppendBatchFields = PublishBatchFields & { readonly batchId: bigint };

/** What a batch needs from its session. */
export interface AppendBatchDeps {
  readonly store: LogStore;
  readonly maxPayloadBytes: number;
  readonly logger: Logger;
  /** The caller; every batch is checked against its scopes like a PublishBatch. */
  readonly principal: Principal;
}

export interface AppendSessionDeps extends AppendBatchDeps {
  readonly maxUnackedBytes: number;
  /** Aborting it stops reading batches; those already read are acknowledged, then UNAVAILABLE. */
  readonly shutdownSignal?: AbortSignal | undefined;
}

/** Bytes a batch holds for backpressure: the store's `eventSize` (UTF-16 units + 32 per event). */
export function requestBytes(request: Pick<AppendBatchFields, "events">): number {
  let bytes = 0;
  for (const event of request.events) bytes += eventSize(event);
  return bytes;
}

/**
 * Checks one batch (the key's scopes, then the PublishBatch rules) and hands it to the store; the
 * promise never rejects: a failure is a rejected or fatal outcome (append-outcome.ts).
 */
export function appendBatch(request: AppendBatchFields, deps: AppendBatchDeps): Promise<AppendOutcome> {
  const { batchId } = request;
  try {
    const denied = scopeError(deps.principal, AxonService.typeName, "Append", request);
    if (denied) throw denied;
    const { axonId, events, options } = validatePublishBatchRequest(request, deps.maxPayloadBytes);
    return deps.store.append(axonId, events, options).then(
      (result): AppendOutcome => ({ kind: "ack", batchId, result }),
      (error: unknown) => errorOutcome(batchId, error, deps.logger),
    );
  } catch (error) {
    return Promise.resolve(errorOutcome(batchId, error, deps.logger));
  }
}

/**
 * Serves one append session. A reader takes batches off the request stream and hands each to the
 * store at once, without waiting for earlier ones to become durable, so pipelined batches share
 * group commits (the store's per-axon FIFO keeps their sequences in request order). The writer
 * yields one response per batch, in request order, each only after its batch is durable. While the
 * unacknowledged bytes are at the limit the reader stops pulling, so HTTP/2 flow control pushes
 * back on the client; nothing is dropped or rejected for it.
 */
export async function* appendSession(
  requests: AsyncIterable<AppendBatchFields>,
  deps: AppendSessionDeps,
): AsyncGenerator<AppendResponseInit> {
  const pipeline = new AckPipeline<Promise<AppendOutcome>>(deps.maxUnackedBytes);
  let readerDone = false;
  let readError: unknown;
  /** Set once the session is ending: batches read after this are not appended. */
  let stopped = false;
  const onShutdown = () => pipeline.notify();
  deps.shutdownSignal?.addEventListener("abort", onShutdown, { once: true });
  const isShuttingDown = () => deps.shutdownSignal?.aborted === true;

  const reading = (async () => {
    try {
      for await (const request of requests) {
        if (stopped || isShuttingDown()) break;
        pipeline.push(appendBatch(request, deps), requestBytes(request));
        while (!pipeline.hasRoom && !stopped && !isShuttingDown()) await pipeline.changed();
      }
    } catch (error) {
      readError = error;
    } finally {
      readerDone = true;
      pipeline.notify();
    }
  })();

  try {
    for (;;) {
      const head = pipeline.peek();
      if (head === undefined) {
        if (readerDone) {
          // A broken request stream (client reset, oversized message) ends the session with its error.
          if (readError !== undefined) throw readError;
          return;
        }
        if (isShuttingDown()) throw shuttingDown();
        await pipeline.changed();
        continue;
      }
      const outcome = await head;
      pipeline.shift();
      if (outcome.kind === "fatal") throw outcome.error;
      yield outcomeResponse(outcome);
    }
  } finally {
    stopped = true;
    pipeline.notify();
    deps.shutdownSignal?.removeEventListener("abort", onShutdown);
    // The reader may be parked on the client's next message; it ends with the stream.
    void reading;
  }
}
