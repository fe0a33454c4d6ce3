import type http2 from "node:http2";
import { performance } from "node:perf_hooks";
import { Code, ConnectError } from "@connectrpc/connect";
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
import { STREAM_RESPONSE_HEADERS, type StreamProtocol } from "./plain-binary-protocol.js";
import type { RawStreamContext } from "./raw-stream-context.js";
import { REQUEST_ID_HEADER, runInRequest } from "./request-context.js";
import { logRpc, type RpcOutcome } from "./rpc-logging.js";
import { connectEndStream, grpcStatusTrailers } from "./stream-endings.js";

export interface AppendStreamDeps extends AppendSessionDeps {
  /** The read limit of one AppendRequest (read-limits.ts). */
  readonly readMaxBytes: number;
}

const CLIENT_WENT_AWAY = new ConnectError("the client went away", Code.Canceled);

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
  context: RawStreamContext,
): void {
  new AppendStream(stream, protocol, deps, context).start();
}

class AppendStream {
  readonly #started = performance.now();
  readonly #reader: EnvelopeReader;
  readonly #pipeline: AckPipeline<PendingBatch>;
  /** Why the session ends once the batches taken in are answered (undefined: the client ended it). */
  #ending: ConnectError | undefined;
  /** No more batches are taken in. */
  #stopped = false;
  #requestEnded = false;
  #finished = false;
  #awaitingDrain = false;

  constructor(
    private readonly stream: http2.ServerHttp2Stream,
    private readonly protocol: StreamProtocol,
    private readonly deps: AppendStreamDeps,
    private readonly context: RawStreamContext,
  ) {
    this.#reader = new EnvelopeReader(deps.readMaxBytes);
    this.#pipeline = new AckPipeline(deps.maxUnackedBytes);
  }

  start(): void {
    const { stream } = this;
    this.context.metrics?.grpcFastPath.inc({ method: "Append" });
    this.deps.shutdownSignal?.addEventListener("abort", this.#onShutdown, { once: true });
    // A client reset surfaces as an error event, then close.
    stream.on("error", () => {});
    stream.on(
      "data",
      this.#within((chunk: Buffer) => {
        if (this.#stopped) return;
        this.#reader.push(chunk);
        this.#admit();
      }),
    );
    stream.once(
      "end",
      this.#within(() => {
        this.#requestEnded = true;
        this.#maybeFinish();
      }),
    );
    stream.once(
      "close",
      this.#within(() => {
        // The client went away: batches already taken in still reach the store; nobody hears of them.
        if (!this.#finished) this.#conclude({ rpc: "Append", error: CLIENT_WENT_AWAY });
      }),
    );
    if (this.deps.shutdownSignal?.aborted) this.#onShutdown();
  }

  readonly #onShutdown = () =>
    runInRequest(this.context.call, () => {
      this.#stop(shuttingDown());
      this.#maybeFinish();
    });

  /** Stream events run in the HTTP/2 session's async context; the call's is entered for each. */
  #within<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
    return (...args) => runInRequest(this.context.call, () => fn(...args));
  }

  #stop(error: ConnectError): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#ending = error;
  }

  /** Takes in the whole envelopes received while there is room; the rest stays in the reader. */
  #admit(): void {
    const pipeline = this.#pipeline;
    while (!this.#stopped && pipeline.hasRoom) {
      let request: ReturnType<typeof decodeAppendRequest>;
      try {
        const envelope = this.#reader.next();
        if (envelope === undefined) break;
        if ((envelope.flags & 0x01) === 0x01) {
          throw new ConnectError(
            "received compressed envelope, but do not know how to decompress",
            Code.Internal,
          );
        }
        request = decodeAppendRequest(envelope.message);
      } catch (error) {
        this.#stop(toConnectError(error, this.context.logger, "Append"));
        break;
      }
      const pending: PendingBatch = { outcome: undefined };
      pipeline.push(pending, requestBytes(request));
      // The promise's continuation runs in the context #admit() runs in: the call's.
      void appendBatch(request, this.deps).then((outcome) => {
        pending.outcome = outcome;
        this.#flush();
      });
    }
    if (this.#stopped || !pipeline.hasRoom) this.stream.pause();
    else if (this.stream.isPaused()) this.stream.resume();
  }

  /** Writes the answers at the front of the pipeline, in order, while the stream takes them. */
  #flush(): void {
    if (this.#finished || this.#awaitingDrain) return;
    const { stream } = this;
    const pipeline = this.#pipeline;
    for (let head = pipeline.peek(); head?.outcome !== undefined; head = pipeline.peek()) {
      const outcome = head.outcome;
      pipeline.shift();
      if (outcome.kind === "fatal") {
        this.#finish(outcome.error);
        return;
      }
      this.#respondOnce();
      stream.write(
        outcome.kind === "ack"
          ? encodeAppendAckEnvelope(outcome.batchId, outcome.result)
          : encodeAppendResponseEnvelope(outcome.response),
      );
      if (stream.writableNeedDrain) {
        // A client that does not read its acks stops getting batches taken in, as over Connect.
        this.#awaitingDrain = true;
        stream.once(
          "drain",
          this.#within(() => {
            this.#awaitingDrain = false;
            this.#flush();
          }),
        );
        return;
      }
    }
    this.#admit();
    this.#maybeFinish();
  }

  #maybeFinish(): void {
    if (this.#finished || this.#pipeline.length > 0) return;
    if (this.#stopped) this.#finish(this.#ending);
    else if (this.#requestEnded) {
      // #admit() ran with an empty pipeline (room for any batch): what is left is not a whole envelope.
      this.#finish(
        this.#reader.bufferedBytes > 0
          ? new ConnectError("protocol error: incomplete envelope", Code.InvalidArgument)
          : undefined,
      );
    }
  }

  #respondOnce(): void {
    const { stream } = this;
    if (stream.headersSent || stream.destroyed) return;
    stream.respond(
      { ...STREAM_RESPONSE_HEADERS[this.protocol], [REQUEST_ID_HEADER]: this.context.call.requestId },
      this.protocol === "grpc" ? { waitForTrailers: true } : {},
    );
  }

  /** Ends the response with `error` (or OK), as Connect ends a gRPC or Connect stream. */
  #finish(error: ConnectError | undefined): void {
    const { stream } = this;
    this.#conclude(
      error === undefined
        ? { rpc: "Append" }
        : { rpc: "Append", error, peer: stream.session?.socket?.remoteAddress },
    );
    if (!stream.destroyed && !stream.closed) {
      if (this.protocol === "connect") {
        this.#respondOnce();
        stream.end(connectEndStream(error));
      } else if (!stream.headersSent) {
        // Trailers-only, as Connect's gRPC handler answers a call that fails before any message.
        stream.respond(
          {
            ...STREAM_RESPONSE_HEADERS.grpc,
            [REQUEST_ID_HEADER]: this.context.call.requestId,
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
  }

  /** The session is over (answered or abandoned): nothing more is taken in or written; logs it. */
  #conclude(outcome: RpcOutcome): void {
    this.#finished = true;
    this.#stopped = true;
    this.deps.shutdownSignal?.removeEventListener("abort", this.#onShutdown);
    logRpc(this.context.logger, outcome, performance.now() - this.#started, this.context.metrics);
  }
}
