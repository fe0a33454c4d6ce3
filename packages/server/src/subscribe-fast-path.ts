import type http from "node:http";
import type http2 from "node:http2";
import { performance } from "node:perf_hooks";
import { fromBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import { type SubscribeRequest, SubscribeRequestSchema } from "@openaxon/protocol";
import type { StoredEvent } from "@openaxon/store";
import type { Logger } from "pino";
import { binaryWireProblem } from "./binary-wire-problem.js";
import { toConnectError } from "./errors.js";
import type { ServerMetrics } from "./metrics.js";
import {
  plainBinaryProtocol,
  STREAM_RESPONSE_HEADERS,
  type StreamProtocol,
} from "./plain-binary-protocol.js";
import { inThisRequest, REQUEST_ID_HEADER } from "./request-context.js";
import { logRpc } from "./rpc-logging.js";
import { singleEnvelopeMessage } from "./single-envelope.js";
import { connectEndStream } from "./stream-endings.js";
import { envelopedCommit, subscribeResponseChunks } from "./subscribe-response-wire.js";
import { LIVE_FRAME_BYTES, type SubscribeFrame } from "./subscribe-stream.js";

export const SUBSCRIBE_PATH = "/openaxon.v1.AxonService/Subscribe";

export interface SubscribeFastPathOptions {
  readonly readMaxBytes: number;
  readonly logger: Logger;
  /** Counts each call in openaxon_rpc_total, as the Connect path does. */
  readonly metrics?: ServerMetrics;
  /**
   * The checks Connect's interceptors make after the message is parsed (API-key scopes): throws
   * the ConnectError the Connect path would. Host/Origin admission and the API key itself are
   * checked before this handler is called, as for Connect.
   */
  readonly admit: (request: http2.Http2ServerRequest, message: SubscribeRequest) => void;
  /** The Subscribe stream with the server's shared state (store, frame budget, deletions, shutdown). */
  readonly open: (
    message: SubscribeRequest,
    signal: AbortSignal,
    liveSink: (commit: readonly StoredEvent[]) => boolean,
  ) => AsyncIterable<SubscribeFrame>;
}

/**
 * Subscribe over gRPC and the Connect protocol (binary), written straight to the HTTP/2 stream.
 * Connect's per-frame path (async-iterable pipeline, protobuf-es serialization of the shared bytes,
 * envelope copy, compat-layer write) cost more per delivery than everything else in live fan-out;
 * here a live commit's enveloped message is built once and the same Buffer is written to every
 * subscriber (subscribe-response-wire.ts). Both protocols frame messages in the same 5-byte
 * envelopes; they differ only in how the stream ends (gRPC trailers, Connect's end-stream message).
 *
 * The frames are subscribeStream's, so replay, caught_up, the live hand-off, heartbeats,
 * fell_behind, deletion and shutdown behave exactly as over Connect. Backpressure per stream: the
 * next frame is pulled only once the stream has drained, so a slow subscriber's live buffer fills
 * and it falls behind, as with Connect. Takes only the plain case — HTTP/2, POST,
 * `application/grpc`, `application/grpc+proto` or `application/connect+proto`, no deadline, no
 * compression — and leaves everything else (gRPC-Web, JSON, HTTP/1.1) to Connect by returning
 * false before reading anything.
 */
export function subscribeFastPath(
  options: SubscribeFastPathOptions,
): (
  request: http.IncomingMessage | http2.Http2ServerRequest,
  response: http.ServerResponse | http2.Http2ServerResponse,
) => boolean {
  const { readMaxBytes, logger, admit, open } = options;
  return (request, response) => {
    if (request.httpVersionMajor !== 2 || request.method !== "POST" || request.url !== SUBSCRIBE_PATH)
      return false;
    const protocol = plainBinaryProtocol(request.headers);
    if (protocol === undefined) return false;

    const h2request = request as http2.Http2ServerRequest;
    const h2response = response as http2.Http2ServerResponse;
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    h2request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > readMaxBytes + 5) tooLarge = true;
      else chunks.push(chunk);
    });
    h2request.on(
      "end",
      inThisRequest(() => {
        const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        void serve(protocol, h2response, h2request, body, tooLarge);
      }),
    );
    return true;
  };

  async function serve(
    protocol: StreamProtocol,
    response: http2.Http2ServerResponse,
    request: http2.Http2ServerRequest,
    body: Buffer,
    tooLarge: boolean,
  ): Promise<void> {
    const started = performance.now();
    const stream = response.stream;
    const gone = new AbortController();
    let closed = false;
    let responded = false;
    let pastHighWater = false;
    const onClose = () => {
      closed = true;
      gone.abort();
    };
    stream.once("close", onClose);
    let error: ConnectError | undefined;
    let axonId: string | undefined;
    try {
      const message = decodeRequest(body, tooLarge, readMaxBytes);
      axonId = message.axonId || undefined;
      admit(request, message);
      // Live and idle, a commit is written from the tail signal at once (see FollowOptions.liveSink);
      // a stream with SINK_QUEUE_BYTES queued declines it, and it goes through the generator (its
      // live buffer, then fell_behind) and waits for drain. The sink runs once per subscriber per
      // commit, so it reads this function's own flags rather than the stream's getters: the queue
      // is measured only once a write said it passed the stream's high-water mark (16 KiB on Node
      // 20, 64 KiB on 22; far below SINK_QUEUE_BYTES). A stream destroyed in the tick before its
      // 'close' event may take a write, which Writable drops (nothing throws or is queued).
      const liveSink = (commit: readonly StoredEvent[]) => {
        if (closed || !responded) return false;
        if (pastHighWater && stream.writableLength >= SINK_QUEUE_BYTES) return false;
        const message = envelopedCommit(commit, LIVE_FRAME_BYTES);
        if (message === undefined) return false;
        pastHighWater = !stream.write(message);
        return true;
      };
      for await (const frame of open(message, gone.signal, liveSink)) {
        if (gone.signal.aborted || stream.destroyed) break;
        if (!stream.headersSent) respond(stream, protocol, echoedHeaders(response));
        responded = true;
        pastHighWater = !write(stream, subscribeResponseChunks(frame));
        if (pastHighWater) await drained(stream);
      }
    } catch (caught) {
      error = toConnectError(caught, logger, "Subscribe");
    } finally {
      // The follower stops offering commits when its stream ends; this keeps the sink from writing
      // after the stream is finished below even if it did not.
      closed = true;
      stream.off("close", onClose);
    }
    // A client that went away cancelled the call, as Connect logs it.
    const failed =
      error ?? (gone.signal.aborted ? new ConnectError("the client went away", Code.Canceled) : undefined);
    logRpc(
      logger,
      failed === undefined
        ? { rpc: "Subscribe" }
        : { rpc: "Subscribe", error: failed, axonId, peer: request.socket?.remoteAddress },
      performance.now() - started,
      options.metrics,
    );
    if (protocol === "grpc") finishGrpc(response, error);
    else finishConnect(stream, error, echoedHeaders(response));
  }
}

/**
 * Bytes a stream may have queued (written, not yet sent) and still take live commits from the tail
 * signal. The queue holds the commits' shared messages, not copies, so this bounds a slow
 * subscriber's pointers rather than its memory; the stream's 16 KiB high-water mark would send
 * every subscriber through the generator the moment the socket lags a few commits behind.
 */
const SINK_QUEUE_BYTES = 1024 * 1024;

const GRPC_HEADERS = STREAM_RESPONSE_HEADERS.grpc;
const CONNECT_HEADERS = STREAM_RESPONSE_HEADERS.connect;

function respond(
  stream: http2.ServerHttp2Stream,
  protocol: StreamProtocol,
  echoed: Readonly<Record<string, string>>,
): void {
  if (protocol === "grpc") stream.respond({ ...GRPC_HEADERS, ...echoed }, { waitForTrailers: true });
  else stream.respond({ ...CONNECT_HEADERS, ...echoed });
}

/** Headers set on the compat response (the request id): the raw stream.respond calls carry them over. */
function echoedHeaders(response: http2.Http2ServerResponse): Record<string, string> {
  const requestId = response.getHeader(REQUEST_ID_HEADER);
  return typeof requestId === "string" ? { [REQUEST_ID_HEADER]: requestId } : {};
}

function decodeRequest(body: Buffer, tooLarge: boolean, readMaxBytes: number): SubscribeRequest {
  if (tooLarge) {
    throw new ConnectError(
      `message size is larger than configured readMaxBytes ${readMaxBytes}`,
      Code.ResourceExhausted,
    );
  }
  const bytes = singleEnvelopeMessage(body);
  const problem = binaryWireProblem(bytes, SubscribeRequestSchema);
  if (problem !== undefined) throw new ConnectError(problem, Code.InvalidArgument);
  return fromBinary(SubscribeRequestSchema, bytes);
}

/** Writes the buffers as one batch (a single writev when several); false when the stream is full. */
function write(stream: http2.ServerHttp2Stream, chunks: readonly Buffer[]): boolean {
  if (chunks.length === 1) return stream.write(chunks[0]);
  stream.cork();
  for (const chunk of chunks) stream.write(chunk);
  stream.uncork();
  return !stream.writableNeedDrain;
}

const drained = (stream: http2.ServerHttp2Stream) =>
  new Promise<void>((resolve) => {
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
  });

/**
 * Trailers with the status, as Connect's gRPC handler writes them (trailers-only before any
 * message). They go through the compat response, which answers the stream's wantTrailers itself.
 */
function finishGrpc(response: http2.Http2ServerResponse, error: ConnectError | undefined): void {
  const stream = response.stream;
  if (stream.destroyed || stream.closed) return;
  const trailers = new Headers();
  if (error) setTrailerStatus(trailers, error);
  else trailers.set("grpc-status", "0");
  const status = Object.fromEntries(trailers);
  if (!stream.headersSent) {
    stream.respond({ ...GRPC_HEADERS, ...echoedHeaders(response), ...status }, { endStream: true });
    return;
  }
  response.addTrailers(status);
  stream.end();
}

/** Connect's end-stream message (an envelope flagged end-stream, JSON) with the error, if any. */
function finishConnect(
  stream: http2.ServerHttp2Stream,
  error: ConnectError | undefined,
  echoed: Readonly<Record<string, string>>,
): void {
  if (stream.destroyed || stream.closed) return;
  if (!stream.headersSent) stream.respond({ ...CONNECT_HEADERS, ...echoed });
  stream.end(connectEndStream(error));
}
