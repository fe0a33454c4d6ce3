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
import { logRpc } from "./rpc-logging.js";
import { encodedCommit } from "./shared-event-frames.js";
import { envelopedEventPiece, subscribeResponseChunks } from "./subscribe-response-wire.js";
import { LIVE_FRAME_BYTES, type SubscribeFrame } from "./subscribe-stream.js";

export const SUBSCRIBE_PATH = "/openaxon.v1.AxonService/Subscribe";

export interface GrpcSubscribeFastPathOptions {
  readonly readMaxBytes: number;
  readonly logger: Logger;
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
 * gRPC Subscribe written straight to the HTTP/2 stream. Connect's per-frame path (async-iterable
 * pipeline, protobuf-es serialization of the shared bytes, envelope copy, compat-layer write) cost
 * more per delivery than everything else in live fan-out; here a live commit's enveloped message is
 * built once and the same Buffer is written to every subscriber (subscribe-response-wire.ts).
 *
 * The frames are subscribeStream's, so replay, caught_up, the live hand-off, heartbeats,
 * fell_behind, deletion and shutdown behave exactly as over Connect. Backpressure per stream: the
 * next frame is pulled only once the stream has drained, so a slow subscriber's live buffer fills
 * and it falls behind, as with Connect. Takes only the plain case — HTTP/2, POST,
 * `application/grpc` or `application/grpc+proto`, no deadline, no compression — and leaves
 * everything else to Connect by returning false before reading anything.
 */
export function grpcSubscribeFastPath(
  options: GrpcSubscribeFastPathOptions,
): (
  request: http.IncomingMessage | http2.Http2ServerRequest,
  response: http.ServerResponse | http2.Http2ServerResponse,
) => boolean {
  const { readMaxBytes, logger, admit, open } = options;
  return (request, response) => {
    if (request.httpVersionMajor !== 2 || request.method !== "POST" || request.url !== SUBSCRIBE_PATH)
      return false;
    const headers = request.headers;
    const contentType = headers["content-type"];
    if (contentType !== "application/grpc" && contentType !== "application/grpc+proto") return false;
    if (headers["grpc-timeout"] !== undefined) return false;
    const encoding = headers["grpc-encoding"];
    if (encoding !== undefined && encoding !== "identity") return false;

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
    h2request.on("end", () => {
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      void serve(h2response, h2request, body, tooLarge);
    });
    return true;
  };

  async function serve(
    response: http2.Http2ServerResponse,
    request: http2.Http2ServerRequest,
    body: Buffer,
    tooLarge: boolean,
  ): Promise<void> {
    const started = performance.now();
    const stream = response.stream;
    const gone = new AbortController();
    const onClose = () => gone.abort();
    stream.once("close", onClose);
    let error: ConnectError | undefined;
    try {
      const message = decodeRequest(body, tooLarge, readMaxBytes);
      admit(request, message);
      // Live and idle, a commit is written from the tail signal at once (see FollowOptions.liveSink);
      // a stream with SINK_QUEUE_BYTES queued declines it, and it goes through the generator (its
      // live buffer, then fell_behind) and waits for drain.
      const liveSink = (commit: readonly StoredEvent[]) => {
        if (stream.destroyed || !stream.headersSent || stream.writableLength >= SINK_QUEUE_BYTES)
          return false;
        const { bytes } = encodedCommit(commit);
        if (bytes.length > LIVE_FRAME_BYTES) return false;
        stream.write(envelopedEventPiece(bytes));
        return true;
      };
      for await (const frame of open(message, gone.signal, liveSink)) {
        if (gone.signal.aborted || stream.destroyed) break;
        if (!stream.headersSent) stream.respond(RESPONSE_HEADERS, { waitForTrailers: true });
        if (!write(stream, subscribeResponseChunks(frame))) await drained(stream);
      }
    } catch (caught) {
      error = toConnectError(caught, logger, "Subscribe");
    } finally {
      stream.off("close", onClose);
    }
    // A client that went away cancelled the call, as Connect logs it.
    const code = error?.code ?? (gone.signal.aborted ? Code.Canceled : undefined);
    logRpc(logger, "Subscribe", code, performance.now() - started);
    finish(response, error);
  }
}

/**
 * Bytes a stream may have queued (written, not yet sent) and still take live commits from the tail
 * signal. The queue holds the commits' shared messages, not copies, so this bounds a slow
 * subscriber's pointers rather than its memory; the stream's 16 KiB high-water mark would send
 * every subscriber through the generator the moment the socket lags a few commits behind.
 */
const SINK_QUEUE_BYTES = 1024 * 1024;

const RESPONSE_HEADERS = { ":status": 200, "content-type": "application/grpc+proto" };

function decodeRequest(body: Buffer, tooLarge: boolean, readMaxBytes: number): SubscribeRequest {
  if (tooLarge) {
    throw new ConnectError(
      `message size is larger than configured readMaxBytes ${readMaxBytes}`,
      Code.ResourceExhausted,
    );
  }
  if (body.length < 5 || body.length !== 5 + body.readUInt32BE(1)) {
    throw new ConnectError("protocol error: incomplete envelope", Code.InvalidArgument);
  }
  if ((body[0]! & 0x01) === 0x01) {
    throw new ConnectError("received compressed envelope, but do not know how to decompress", Code.Internal);
  }
  const bytes = body.subarray(5);
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
function finish(response: http2.Http2ServerResponse, error: ConnectError | undefined): void {
  const stream = response.stream;
  if (stream.destroyed || stream.closed) return;
  const trailers = new Headers();
  if (error) setTrailerStatus(trailers, error);
  else trailers.set("grpc-status", "0");
  const status = Object.fromEntries(trailers);
  if (!stream.headersSent) {
    stream.respond({ ...RESPONSE_HEADERS, ...status }, { endStream: true });
    return;
  }
  response.addTrailers(status);
  stream.end();
}
