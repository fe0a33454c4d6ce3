import type http from "node:http";
import type http2 from "node:http2";
import { performance } from "node:perf_hooks";
import { Code, ConnectError } from "@connectrpc/connect";
import { setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import type { LogStore } from "@openaxon/store";
import type { Logger } from "pino";
import { toConnectError } from "./errors.js";
import type { ServerMetrics } from "./metrics.js";
import { decodePublishRequest, encodePublishResponseEnvelope } from "./publish-wire.js";
import { overReadLimitMessage } from "./read-limits.js";
import { logRpc } from "./rpc-logging.js";
import { type PublishFields, validatePublishRequest } from "./validate-publish.js";

export const PUBLISH_PATH = "/openaxon.v1.AxonService/Publish";

export interface GrpcPublishFastPathOptions {
  readonly store: LogStore;
  readonly maxPayloadBytes: number;
  readonly readMaxBytes: number;
  readonly logger: Logger;
  readonly metrics?: ServerMetrics;
  /**
   * The checks Connect's interceptors make after the message is parsed (API-key scopes, which
   * depend on the origin): throws the ConnectError the Connect path would. Host/Origin admission
   * and the API key itself are checked before this handler is called, as for Connect.
   */
  readonly admit: (request: http.IncomingMessage | http2.Http2ServerRequest, fields: PublishFields) => void;
}

/**
 * gRPC unary Publish without Connect's per-call machinery (AbortControllers, async generators,
 * Headers objects, protobuf-es). Takes only the plain case — HTTP/2, POST, `application/grpc` or
 * `application/grpc+proto`, no deadline, no compression — and leaves everything else to Connect by
 * returning false before reading anything. Responses are byte-identical to Connect's: the same
 * headers, the same envelope, trailers written by Connect's own `setTrailerStatus`.
 */
export function grpcPublishFastPath(
  options: GrpcPublishFastPathOptions,
): (
  request: http.IncomingMessage | http2.Http2ServerRequest,
  response: http.ServerResponse | http2.Http2ServerResponse,
) => boolean {
  const { store, maxPayloadBytes, readMaxBytes, logger, admit } = options;
  return (request, response) => {
    if (request.httpVersionMajor !== 2 || request.method !== "POST" || request.url !== PUBLISH_PATH)
      return false;
    const headers = request.headers;
    const contentType = headers["content-type"];
    if (contentType !== "application/grpc" && contentType !== "application/grpc+proto") return false;
    if (headers["grpc-timeout"] !== undefined) return false;
    const encoding = headers["grpc-encoding"];
    if (encoding !== undefined && encoding !== "identity") return false;

    const started = performance.now();
    const res = response as http2.Http2ServerResponse;
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > readMaxBytes + 5) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on("end", () => {
      body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      handle(body, tooLarge, request).then(
        (reply) => respond(res, reply, undefined),
        (error: unknown) => respond(res, undefined, toConnectError(error, logger, "Publish")),
      );
    });
    let body: Buffer = EMPTY;
    const respond = (
      target: http2.Http2ServerResponse,
      reply: Buffer | undefined,
      error: ConnectError | undefined,
    ) => {
      logRpc(
        logger,
        error === undefined
          ? { rpc: "Publish" }
          : { rpc: "Publish", error, axonId: axonIdIn(body), peer: request.socket?.remoteAddress },
        performance.now() - started,
        options.metrics,
      );
      if (target.destroyed || target.writableEnded) return;
      target.writeHead(200, { "content-type": "application/grpc+proto" });
      const trailers = new Headers();
      if (error) setTrailerStatus(trailers, error);
      else trailers.set("grpc-status", "0");
      target.addTrailers(Object.fromEntries(trailers));
      if (reply) target.end(reply);
      else target.end();
    };
    return true;
  };

  async function handle(
    body: Buffer,
    tooLarge: boolean,
    request: http.IncomingMessage | http2.Http2ServerRequest,
  ): Promise<Buffer> {
    if (tooLarge) {
      throw new ConnectError(overReadLimitMessage(readMaxBytes), Code.ResourceExhausted);
    }
    if (body.length < 5 || body.length !== 5 + body.readUInt32BE(1)) {
      throw new ConnectError("protocol error: incomplete envelope", Code.InvalidArgument);
    }
    if ((body[0]! & 0x01) === 0x01) {
      throw new ConnectError(
        "received compressed envelope, but do not know how to decompress",
        Code.Internal,
      );
    }
    const fields = decodePublishRequest(body.subarray(5));
    admit(request, fields);
    const { axonId, events, options: appendOptions } = validatePublishRequest(fields, maxPayloadBytes);
    const result = await store.append(axonId, events, appendOptions);
    return encodePublishResponseEnvelope(result.firstSequence, result.timestampMs, result.duplicate);
  }
}

const EMPTY = Buffer.alloc(0);

/** The axon id of a failed request, for its log line (decoded again: failures only). */
function axonIdIn(body: Buffer): string | undefined {
  try {
    return decodePublishRequest(body.subarray(5)).axonId || undefined;
  } catch {
    return undefined;
  }
}
