import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";

export const HEALTH_PATH = "/healthz";

/**
 * `GET /healthz`: 200 `{"status":"ok"}` while serving, 503 `{"status":"draining"}` during graceful
 * shutdown so load balancers stop routing here. No auth: it reveals nothing. Returns true if handled.
 */
export function handleHealth(
  request: IncomingMessage | Http2ServerRequest,
  response: ServerResponse | Http2ServerResponse,
  draining: boolean,
): boolean {
  if (request.url?.split("?", 1)[0] !== HEALTH_PATH) return false;
  if (request.method !== "GET" && request.method !== "HEAD") {
    response.writeHead(405, { allow: "GET, HEAD" });
    response.end();
    return true;
  }
  const body = JSON.stringify({ status: draining ? "draining" : "ok" });
  response.writeHead(draining ? 503 : 200, {
    "content-type": "application/json",
    "cache-control": "no-store",
  });
  if (request.method === "HEAD") response.end();
  else response.end(body);
  return true;
}
