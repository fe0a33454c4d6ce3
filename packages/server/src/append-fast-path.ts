import type http2 from "node:http2";
import { performance } from "node:perf_hooks";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Logger } from "pino";
import { AckPipeline } from "./ack-pipeline.js";
import { type AppendOutcome, shuttingDown } from "./append-outcome.js";
import {
  decodeAppendRequest,
  encodeAppendAckEnvelope,
  encodeAppendResponseEnvelope,
} from "./append-request-wire.js";
import { type AppendSessionDeps, appendBatch, requestBytes } from "./append-session.js";
import { EnvelopeReader } from "./envelope-reader.js";
import { toConnectError } from "./errors.js";
import type { ServerMetrics } from "./metrics.js";
import {
  plainBinaryProtocol,
  STREAM_RESPONSE_HEADERS,
  type StreamProtocol,
} from "./plain-binary-protocol.js";
import { REQUEST_ID_HEADER, type RequestContext, runInRequest } from "./request-context.js";
import { logRpc } from "./rpc-logging.js";
import { connectEndStream, grpcStatusTrailers } from "./stream-endings.js";

export const APPEND_PATH = "/openaxon.v1.AxonService/Append";

/**
 * The protocol of an Append call the raw path takes — POST, plain binary gRPC or Connect (no
 * deadline, no compression), no Origin (browsers have no bidi streams; their requests need CORS
 * answers), no `Expect` — or undefined to leave it to Connect, which answers everything else.
 */
export function decideAppendFastPath(headers: http2.IncomingHttpHeaders): StreamProtocol | undefined {
  if (headers[":method"] !== "POST" || headers[":path"] !== APPEND_PATH) return undefined;
  if (headers.origin !== undefined || headers.expect !== undefined) return undefined;
  return plainBinaryProtocol(headers);
}

export interface AppendStreamDeps extends AppendSessionDeps {
  /** The read limit of one AppendRequest (read-limits.ts). */
  readonly readMaxBytes: number;
}

/** A batch taken in, and what it came to once the store answered. */
interface PendingBatch {
  outcome: AppendOutcome | undefined;
}

/**
 * Serves one append session on a raw HTTP/2 stream, with the semantics of append-session.ts (the
 * Connect path): batches go to the store as they are read, so pipelined batches share group commits;
 * responses go out in request order, each once its batch is durable; while the unacknowledged bytes
 * are at the limit the stream is paused, so HTTP/2 flow control pushes back on the client. What it
 * saves per batch is Connect's async-iterable pipeline, the compatibility layer and protobuf-es
 * (append-request-wire.ts decodes and acks by hand).
 *
 * The session ends after the client ends its side; or, once every batch taken in is answered, when
 * a request cannot be read (INVALID_ARGUMENT, RESOURCE_EXHAUSTED) or the server shuts down
 * (UNAVAILABLE); or at once when a batch's outcome is unknown (a store failure).
 */
export function serveAppendStream(
  stream: http2.ServerHttp2Stream,
  protocol: StreamProtocol,
  deps: AppendStreamDeps,
  context: { readonly logger: Logger; readonly metrics?: ServerMetrics; readonly call: RequestContext },
): void {
  const started = performance.now();
  context.metrics?.grpcFastPath.inc({ method: "Append" });
  const reader = new EnvelopeReader(deps.readMaxBytes);
  const pipeline = new AckPipeline<PendingBatch>(deps.maxUnackedBytes);
  // Stream events run in the HTTP/2 session's async context; the call's is entered for each.
  const within =
    <A extends unknown[]>(fn: (...args: A) => void) =>
    (...args: A) =>
      runInRequest(context.call, () => fn(...args));
  /** Why the session ends once the batches taken in are answered (undefined: the client ended it). */
  let ending: ConnectError | undefined;
  /** No more batches are taken in. */
  let stopped = false;
  let requestEnded = false;
  let finished = false;
  let awaitingDrain = false;

  const stop = (error: ConnectError) => {
    if (stopped) return;
    stopped = true;
    ending = error;
  };

  // Takes in the whole envelopes received while there is room; the rest stays in the reader.
  const admit = () => {
    while (!stopped && pipeline.hasRoom) {
      let request: ReturnType<typeof decodeAppendRequest>;
      try {
        const envelope = reader.next();
        if (envelope === undefined) break;
        if ((envelope.flags & 0x01) === 0x01) {
          throw new ConnectError(
            "received compressed envelope, but do not know how to decompress",
            Code.Internal,
          );
        }
        request = decodeAppendRequest(envelope.message);
      } catch (error) {
        stop(toConnectError(error, context.logger, "Append"));
        break;
      }
      const pending: PendingBatch = { outcome: undefined };
      pipeline.push(pending, requestBytes(request));
      // The promise's continuation runs in the context admit() runs in: the call's.
      void appendBatch(request, deps).then((outcome) => {
        pending.outcome = outcome;
        flush();
      });
    }
    if (stopped || !pipeline.hasRoom) stream.pause();
    else if (stream.isPaused()) stream.resume();
  };

  // Writes the answers at the front of the pipeline, in order, while the stream takes them.
  const flush = () => {
    if (finished || awaitingDrain) return;
    for (let head = pipeline.peek(); head?.outcome !== undefined; head = pipeline.peek()) {
      const outcome = head.outcome;
      pipeline.shift();
      if (outcome.kind === "fatal") {
        finish(outcome.error);
        return;
      }
      respondOnce();
      stream.write(
        outcome.kind === "ack"
          ? encodeAppendAckEnvelope(outcome.batchId, outcome.result)
          : encodeAppendResponseEnvelope(outcome.response),
      );
      if (stream.writableNeedDrain) {
        // A client that does not read its acks stops getting batches taken in, as over Connect.
        awaitingDrain = true;
        stream.once(
          "drain",
          within(() => {
            awaitingDrain = false;
            flush();
          }),
        );
        return;
      }
    }
    admit();
    maybeFinish();
  };

  const maybeFinish = () => {
    if (finished || pipeline.length > 0) return;
    if (stopped) finish(ending);
    else if (requestEnded) {
      // admit() ran with an empty pipeline (room for any batch): what is left is not a whole envelope.
      finish(
        reader.bufferedBytes > 0
          ? new ConnectError("protocol error: incomplete envelope", Code.InvalidArgument)
          : undefined,
      );
    }
  };

  const respondOnce = () => {
    if (stream.headersSent || stream.destroyed) return;
    stream.respond(
      { ...STREAM_RESPONSE_HEADERS[protocol], [REQUEST_ID_HEADER]: context.call.requestId },
      protocol === "grpc" ? { waitForTrailers: true } : {},
    );
  };

  const finish = (error: ConnectError | undefined) => {
    finished = true;
    stopped = true;
    deps.shutdownSignal?.removeEventListener("abort", onShutdown);
    logRpc(
      context.logger,
      error === undefined
        ? { rpc: "Append" }
        : { rpc: "Append", error, peer: stream.session?.socket?.remoteAddress },
      performance.now() - started,
      context.metrics,
    );
    if (!stream.destroyed && !stream.closed) {
      if (protocol === "connect") {
        respondOnce();
        stream.end(connectEndStream(error));
      } else if (!stream.headersSent) {
        // Trailers-only, as Connect's gRPC handler answers a call that fails before any message.
        stream.respond(
          {
            ...STREAM_RESPONSE_HEADERS.grpc,
            [REQUEST_ID_HEADER]: context.call.requestId,
            ...grpcStatusTrailers(error),
          },
          { endStream: true },
        );
      } else {
        stream.once("wantTrailers", () => stream.sendTrailers(grpcStatusTrailers(error)));
        stream.end();
      }
    }
    // Whatever the client still sends is read and dropped, so flow control cannot wedge its side.
    stream.resume();
  };

  const onShutdown = within(() => {
    stop(shuttingDown());
    maybeFinish();
  });
  deps.shutdownSignal?.addEventListener("abort", onShutdown, { once: true });

  // A client reset surfaces as an error event, then close.
  stream.on("error", () => {});
  stream.on(
    "data",
    within((chunk: Buffer) => {
      if (stopped) return;
      reader.push(chunk);
      admit();
    }),
  );
  stream.once(
    "end",
    within(() => {
      requestEnded = true;
      maybeFinish();
    }),
  );
  stream.once(
    "close",
    within(() => {
      if (finished) return;
      // The client went away: batches already taken in still reach the store; nobody hears of them.
      finished = true;
      stopped = true;
      deps.shutdownSignal?.removeEventListener("abort", onShutdown);
      logRpc(
        context.logger,
        { rpc: "Append", error: new ConnectError("the client went away", Code.Canceled) },
        performance.now() - started,
        context.metrics,
      );
    }),
  );
  if (deps.shutdownSignal?.aborted) onShutdown();
}
