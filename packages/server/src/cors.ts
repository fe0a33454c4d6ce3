import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { cors } from "@connectrpc/connect";

const ALLOW_METHODS = cors.allowedMethods.join(", ");
// Authorization carries the API key from browser clients.
const ALLOW_HEADERS = [...cors.allowedHeaders, "Authorization"].join(", ");
// X-Request-Id: a browser client can quote the id the server logged its call under.
const EXPOSE_HEADERS = [...cors.exposedHeaders, "X-Request-Id"].join(", ");

/**
 * CORS for an admitted browser request (see `decideRequestAdmission`): the exact allowed origin is
 * reflected, never `*`, with `Vary: Origin` so caches keep answers per origin. Same-origin and
 * Origin-less requests get no CORS headers. Returns true when it answered a preflight.
 */
export function handleCors(
  request: IncomingMessage | Http2ServerRequest,
  response: ServerResponse | Http2ServerResponse,
  corsOrigin: string | undefined,
): boolean {
  if (request.headers.origin !== undefined) response.setHeader("Vary", "Origin");
  const preflight =
    request.method === "OPTIONS" && request.headers["access-control-request-method"] !== undefined;
  if (corsOrigin === undefined) {
    if (!preflight || request.headers.origin === undefined) return false;
    // A same-origin preflight does not happen in practice; answer it plainly.
    response.writeHead(204);
    response.end();
    return true;
  }
  response.setHeader("Access-Control-Allow-Origin", corsOrigin);
  if (preflight) {
    response.setHeader("Access-Control-Allow-Methods", ALLOW_METHODS);
    response.setHeader("Access-Control-Allow-Headers", ALLOW_HEADERS);
    response.setHeader("Access-Control-Max-Age", "7200");
    response.writeHead(204);
    response.end();
    return true;
  }
  response.setHeader("Access-Control-Expose-Headers", EXPOSE_HEADERS);
  return false;
}
