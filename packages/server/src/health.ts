import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { LogStore, StoreHealth } from "@openaxon/store";

export const HEALTH_PATH = "/healthz";

export interface HealthReport {
  readonly httpStatus: number;
  readonly body: { readonly status: string; readonly reason?: string };
}

/** What `/healthz` answers, decided from the server's and the store's state. */
export function decideHealth(draining: boolean, store: StoreHealth): HealthReport {
  if (draining) return { httpStatus: 503, body: { status: "draining" } };
  if (store.status !== "ok")
    return { httpStatus: 503, body: { status: `store ${store.status}`, reason: store.reason } };
  return { httpStatus: 200, body: { status: "ok" } };
}

/**
 * `GET /healthz`: 200 `{"status":"ok"}` while serving; 503 `{"status":"draining"}` during graceful
 * shutdown so load balancers stop routing here; 503 `{"status":"store failed","reason":...}` while
 * the store's writes fail (say the disk is full). No auth: it reveals nothing beyond that.
 * Returns true if the request was for it.
 */
export function handleHealth(
  request: IncomingMessage | Http2ServerRequest,
  response: ServerResponse | Http2ServerResponse,
  draining: boolean,
  store?: Pick<LogStore, "health">,
): boolean {
  if (request.url?.split("?", 1)[0] !== HEALTH_PATH) return false;
  if (request.method !== "GET" && request.method !== "HEAD") {
    response.writeHead(405, { allow: "GET, HEAD" });
    response.end();
    return true;
  }
  const storeHealth: Promise<StoreHealth> = store?.health
    ? store.health().catch((error: unknown) => ({ status: "failed", reason: String(error) }))
    : Promise.resolve({ status: "ok" });
  void storeHealth.then((state) => {
    const report = decideHealth(draining, state);
    response.writeHead(report.httpStatus, {
      "content-type": "application/json",
      "cache-control": "no-store",
    });
    if (request.method === "HEAD") response.end();
    else response.end(JSON.stringify(report.body));
  });
  return true;
}
