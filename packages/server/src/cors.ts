import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { cors } from "@connectrpc/connect";

const ALLOW_METHODS = cors.allowedMethods.join(", ");
// Authorization carries the API key from browser clients.
const ALLOW_HEADERS = [...cors.allowedHeaders, "Authorization"].join(", ");
const EXPOSE_HEADERS = cors.exposedHeaders.join(", ");

/**
 * CORS for browser clients (Connect-web, gRPC-web). Any origin may call: access is controlled by the
 * bearer API key, not by cookies, so there are no ambient credentials for a hostile page to abuse.
 * Returns true when it answered a preflight and the request is done.
 */
export function handleCors(
  request: IncomingMessage | Http2ServerRequest,
  response: ServerResponse | Http2ServerResponse,
): boolean {
  if (request.headers.origin === undefined) return false;
  response.setHeader("Access-Control-Allow-Origin", "*");
  if (request.method === "OPTIONS" && request.headers["access-control-request-method"] !== undefined) {
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
