import type { IncomingHttpHeaders } from "node:http2";

/** The two protocols the raw HTTP/2 stream paths speak; both frame messages in 5-byte envelopes. */
export type StreamProtocol = "grpc" | "connect";

/**
 * The protocol of a plain binary streaming call — gRPC (`application/grpc`, `application/grpc+proto`)
 * or Connect (`application/connect+proto`), with no deadline and no compression — else undefined,
 * leaving the call to Connect.
 */
export function plainBinaryProtocol(headers: IncomingHttpHeaders): StreamProtocol | undefined {
  const contentType = headers["content-type"];
  if (contentType === "application/grpc" || contentType === "application/grpc+proto") {
    if (headers["grpc-timeout"] !== undefined) return undefined;
    const encoding = headers["grpc-encoding"];
    return encoding === undefined || encoding === "identity" ? "grpc" : undefined;
  }
  if (contentType === "application/connect+proto") {
    if (headers["connect-timeout-ms"] !== undefined) return undefined;
    const encoding = headers["connect-content-encoding"];
    return encoding === undefined || encoding === "identity" ? "connect" : undefined;
  }
  return undefined;
}

/** Response headers of a successful start, per protocol. */
export const STREAM_RESPONSE_HEADERS: Readonly<
  Record<StreamProtocol, Readonly<Record<string, string | number>>>
> = {
  grpc: { ":status": 200, "content-type": "application/grpc+proto" },
  connect: { ":status": 200, "content-type": "application/connect+proto" },
};
