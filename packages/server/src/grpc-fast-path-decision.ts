import type { IncomingHttpHeaders } from "node:http2";

/** The unary RPCs served on raw HTTP/2 streams, without Connect or Node's compatibility layer. */
export const GRPC_FAST_METHODS = ["Publish", "PublishBatch", "CreateAxon"] as const;
export type GrpcFastMethod = (typeof GRPC_FAST_METHODS)[number];

const PATHS: ReadonlyMap<string, GrpcFastMethod> = new Map(
  GRPC_FAST_METHODS.map((method) => [`/openaxon.v1.AxonService/${method}`, method]),
);

/**
 * Which fast-path method an HTTP/2 stream's request headers ask for, or undefined to leave the
 * stream to the full path (compat layer, admission, Connect). Only the plain case is taken: POST,
 * `application/grpc` or `application/grpc+proto`, no deadline (grpc-timeout), no compression, no
 * Origin (a browser's request needs CORS answers), no `Expect`. Everything else is answered by the
 * full path exactly as before, so declining is always safe.
 */
export function decideGrpcFastPath(
  headers: IncomingHttpHeaders,
  enabled: ReadonlySet<GrpcFastMethod>,
): GrpcFastMethod | undefined {
  if (headers[":method"] !== "POST") return undefined;
  const method = PATHS.get(headers[":path"] ?? "");
  if (method === undefined || !enabled.has(method)) return undefined;
  const contentType = headers["content-type"];
  if (contentType !== "application/grpc" && contentType !== "application/grpc+proto") return undefined;
  if (headers["grpc-timeout"] !== undefined) return undefined;
  const encoding = headers["grpc-encoding"];
  if (encoding !== undefined && encoding !== "identity") return undefined;
  if (headers.origin !== undefined || headers.expect !== undefined) return undefined;
  return method;
}
