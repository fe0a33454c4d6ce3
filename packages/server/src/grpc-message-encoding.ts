import type http from "node:http";
import type http2 from "node:http2";

/**
 * A grpc-message value as connect-es writes it (encodeURIComponent: ";", ":", "," and "/" escaped
 * too) re-encoded as the gRPC spec says: only bytes outside printable ASCII, and "%", are escaped.
 * Why: @grpc/grpc-js decodes the field with decodeURI, which leaves "%3B", "%3A", "%2C" and "%2F"
 * as they are, so its users read "payload is 5 bytes%3B the limit…". Spec encoding decodes the
 * same under decodeURI, decodeURIComponent (connect-es clients) and grpc-go.
 */
export function specEncodedGrpcMessage(value: string): string {
  let text: string;
  try {
    text = decodeURIComponent(value);
  } catch {
    return value; // not connect's encoding: leave it
  }
  return grpcMessageValue(text);
}

/** `text` percent-encoded for the grpc-message field, as the gRPC spec says. */
export function grpcMessageValue(text: string): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    out +=
      byte >= 0x20 && byte <= 0x7e && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** True for gRPC over HTTP/2 (not gRPC-Web, whose trailers travel in the body). */
export function isGrpcRequest(request: http.IncomingMessage | http2.Http2ServerRequest): boolean {
  const type = request.headers["content-type"];
  return (
    request.httpVersionMajor === 2 && typeof type === "string" && /^application\/grpc(?:\+|;|$)/.test(type)
  );
}

/**
 * Rewrites grpc-message wherever this response writes it: in the trailers, or in the headers of a
 * trailers-only response.
 */
export function specEncodeGrpcMessages(response: http.ServerResponse | http2.Http2ServerResponse): void {
  const res = response as http2.Http2ServerResponse;
  const addTrailers = res.addTrailers.bind(res);
  res.addTrailers = (headers) => addTrailers(fixed(headers));
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => http2.Http2ServerResponse;
  res.writeHead = ((...args: unknown[]) => {
    const last = args.length - 1;
    if (last > 0 && typeof args[last] === "object" && args[last] !== null && !Array.isArray(args[last])) {
      args[last] = fixed(args[last] as http.OutgoingHttpHeaders);
    }
    return writeHead(...args);
  }) as typeof res.writeHead;
}

function fixed(headers: http.OutgoingHttpHeaders): http.OutgoingHttpHeaders {
  const message = headers["grpc-message"];
  if (typeof message !== "string") return headers;
  return { ...headers, "grpc-message": specEncodedGrpcMessage(message) };
}
