import type http2 from "node:http2";
import { performance } from "node:perf_hooks";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Principal } from "./api-keys.js";
import { toConnectError } from "./errors.js";
import type { GrpcFastMethod } from "./grpc-fast-path-decision.js";
import type { RawStreamContext } from "./raw-stream-context.js";
import { overReadLimitMessage } from "./read-limits.js";
import { REQUEST_ID_HEADER, runInRequest } from "./request-context.js";
import { logRpc } from "./rpc-logging.js";
import { singleEnvelopeMessage } from "./single-envelope.js";
import { grpcStatusTrailers } from "./stream-endings.js";

/** One unary method of the gRPC fast path: the message in, the response envelope out. */
export interface GrpcUnaryMethod {
  readonly name: GrpcFastMethod;
  /** The RPC's read limit (read-limits.ts), for the message without its envelope. */
  readonly readMaxBytes: number;
  /**
   * Decodes, checks the scope of `principal`, validates and runs the call: the response envelope,
   * or a ConnectError (or a store error, mapped by toConnectError) exactly as Connect would fail.
   */
  call(message: Uint8Array, principal: Principal): Promise<Buffer>;
  /** The axon a failed request names, for its log line. */
  axonIdOf(message: Uint8Array): string | undefined;
}

const OK_TRAILERS = grpcStatusTrailers(undefined);

/**
 * Serves one gRPC unary call on a raw HTTP/2 stream (no Http2ServerRequest/Response, no Connect):
 * reads the body, runs `method`, writes headers, the envelope and trailers as Connect would, logs
 * the RPC like the logging interceptor and counts it in openaxon_grpc_fast_path_total.
 */
export function serveGrpcUnary(
  stream: http2.ServerHttp2Stream,
  method: GrpcUnaryMethod,
  principal: Principal,
  context: RawStreamContext,
): void {
  const started = performance.now();
  context.metrics?.grpcFastPath.inc({ method: method.name });
  // A client reset surfaces as an error event; nothing is left to answer then.
  stream.on("error", () => {});
  const chunks: Buffer[] = [];
  let size = 0;
  const limit = method.readMaxBytes + 5;
  stream.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  });
  const finish = () => {
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    let reply: Promise<Buffer>;
    try {
      reply = method.call(messageOf(body, size > limit, method.readMaxBytes), principal);
    } catch (error) {
      reply = Promise.reject(error);
    }
    reply.then(
      (envelope) => {
        logRpc(context.logger, { rpc: method.name }, performance.now() - started, context.metrics);
        respond(stream, context.call.requestId, envelope, OK_TRAILERS);
      },
      (cause: unknown) => {
        const error = toConnectError(cause, context.logger, method.name);
        const outcome = {
          rpc: method.name,
          error,
          axonId: size > limit || body.length < 5 ? undefined : method.axonIdOf(body.subarray(5)),
          peer: stream.session?.socket?.remoteAddress,
        };
        logRpc(context.logger, outcome, performance.now() - started, context.metrics);
        respond(stream, context.call.requestId, undefined, grpcStatusTrailers(error));
      },
    );
  };
  // Stream events run in the HTTP/2 session's async context, not the call's: enter it here.
  stream.once("end", () => runInRequest(context.call, finish));
}

/** The message inside a unary request's single envelope, or the error Connect gives instead. */
function messageOf(body: Buffer, tooLarge: boolean, readMaxBytes: number): Uint8Array {
  if (tooLarge) throw new ConnectError(overReadLimitMessage(readMaxBytes), Code.ResourceExhausted);
  return singleEnvelopeMessage(body);
}

function respond(
  stream: http2.ServerHttp2Stream,
  requestId: string,
  envelope: Buffer | undefined,
  trailers: Readonly<Record<string, string>>,
): void {
  if (stream.destroyed || stream.headersSent) return;
  stream.respond(
    { ":status": 200, "content-type": "application/grpc+proto", [REQUEST_ID_HEADER]: requestId },
    { waitForTrailers: true },
  );
  stream.once("wantTrailers", () => stream.sendTrailers(trailers));
  if (envelope) stream.end(envelope);
  else stream.end();
}
