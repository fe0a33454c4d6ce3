import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { Registry } from "prom-client";

export const METRICS_PATH = "/metrics";

/**
 * `GET /metrics`: the registry in Prometheus text format. Called after authentication, so with API
 * keys configured a scraper sends one (`authorization: Bearer …`; any scope will do). Returns true if
 * the request was for it.
 */
export function handleMetrics(
  request: IncomingMessage | Http2ServerRequest,
  response: ServerResponse | Http2ServerResponse,
  registry: Registry,
): boolean {
  if (request.url?.split("?", 1)[0] !== METRICS_PATH) return false;
  if (request.method !== "GET" && request.method !== "HEAD") {
    response.writeHead(405, { allow: "GET, HEAD" });
    response.end();
    return true;
  }
  void registry.metrics().then(
    (text) => {
      response.writeHead(200, { "content-type": registry.contentType, "cache-control": "no-store" });
      if (request.method === "HEAD") response.end();
      else response.end(text);
    },
    (error: unknown) => {
      response.writeHead(500, { "content-type": "text/plain" });
      response.end(`metrics failed: ${String(error)}\n`);
    },
  );
  return true;
}
