import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { type Code, ConnectError } from "@connectrpc/connect";
import { encodeEnvelope } from "@connectrpc/connect/protocol";
import {
  codeToHttpStatus,
  codeToString,
  contentTypeStreamRegExp,
  contentTypeUnaryRegExp,
  endStreamFlag,
  errorToJson,
  errorToJsonBytes,
} from "@connectrpc/connect/protocol-connect";
import { contentTypeRegExp as grpcContentType } from "@connectrpc/connect/protocol-grpc";
import { contentTypeRegExp as grpcWebContentType } from "@connectrpc/connect/protocol-grpc-web";
import { grpcMessageValue } from "./grpc-message-encoding.js";
import { REQUEST_ID_HEADER } from "./request-context.js";

type Request = IncomingMessage | Http2ServerRequest;
type Response = ServerResponse | Http2ServerResponse;

/**
 * Answers a request with an error in its own protocol (gRPC and gRPC-Web: trailers-only with
 * grpc-status; Connect unary: HTTP status + JSON error; Connect streaming: an end-stream message;
 * anything else: `plainStatus` + JSON `{code, message}`), without reading the request body. On
 * HTTP/1.1 the connection is closed afterwards, so an unread body is never read either.
 */
export function writeRpcError(
  request: Request,
  response: Response,
  code: Code,
  message: string,
  plainStatus: number,
): void {
  const error = new ConnectError(message, code);
  const contentType = request.headers["content-type"] ?? "";
  const headers: Record<string, string> = {};
  if (request.httpVersionMajor === 1) headers.connection = "close";
  // HTTP/2: ending a response while the request is still open resets the stream, which gRPC
  // clients report as INTERNAL instead of our status. Discard (never buffer or parse) the rest.
  else request.resume();
  let status: number;
  let body: Uint8Array | undefined;
  if (grpcContentType.test(contentType) || grpcWebContentType.test(contentType)) {
    status = 200;
    headers["content-type"] = contentType;
    headers["grpc-status"] = String(code);
    headers["grpc-message"] = grpcMessageValue(message);
  } else if (contentTypeStreamRegExp.test(contentType)) {
    status = 200;
    headers["content-type"] = contentType;
    body = encodeEnvelope(endStreamFlag, textBytes(JSON.stringify({ error: errorToJson(error, {}) })));
  } else if (contentTypeUnaryRegExp.test(contentType) || isConnectGet(request)) {
    status = codeToHttpStatus(code);
    headers["content-type"] = "application/json";
    body = errorToJsonBytes(error, {});
  } else {
    status = plainStatus;
    headers["content-type"] = "application/json";
    body = textBytes(JSON.stringify({ code: codeToString(code), message }));
  }
  if (body === undefined && "stream" in response) {
    // gRPC trailers-only: one HEADERS frame that ends the stream, as gRPC clients expect. Written on
    // the raw stream, so headers set on the response (the request id) are carried over by hand.
    const requestId = response.getHeader(REQUEST_ID_HEADER);
    const echoed = typeof requestId === "string" ? { [REQUEST_ID_HEADER]: requestId } : {};
    response.stream.respond({ ":status": status, ...headers, ...echoed }, { endStream: true });
    return;
  }
  response.writeHead(status, headers);
  if (body === undefined) response.end();
  else response.end(Buffer.from(body));
}

function isConnectGet(request: Request): boolean {
  return request.method === "GET" && /[?&]connect=v1(&|$)/.test(request.url ?? "");
}

function textBytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
