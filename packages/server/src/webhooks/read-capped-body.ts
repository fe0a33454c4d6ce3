import type { IncomingMessage } from "node:http";
import type { Http2ServerRequest } from "node:http2";

/**
 * A request's body, or "too-large" as soon as it passes `maxBytes` (a declared Content-Length
 * over the cap is refused before reading). Stops reading without destroying the request, so the
 * server's listener can drain the rest after the answer (unread-request-body.ts) and the client
 * gets its 413 instead of a reset.
 */
export async function readCappedBody(
  request: IncomingMessage | Http2ServerRequest,
  maxBytes: number,
): Promise<Buffer | "too-large"> {
  const declared = Number(request.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) return "too-large";
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.iterator({ destroyOnReturn: false })) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return "too-large";
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
