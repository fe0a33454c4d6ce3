import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { bundleConsole, type ConsoleBundle } from "./bundle-console.js";
import { routeConsole } from "./console-routes.js";
import { INDEX_HTML } from "./index-html.js";
import { SECURITY_HEADERS } from "./security-headers.js";

export type ConsoleSite = (
  request: IncomingMessage | Http2ServerRequest,
  response: ServerResponse | Http2ServerResponse,
) => boolean;

/** Bundles the console (in memory) and returns the handler that serves it; see `SiteHandler` in @openaxon/server. */
export async function createConsoleSite(): Promise<ConsoleSite> {
  return consoleSite(await bundleConsole());
}

export function consoleSite(bundle: ConsoleBundle): ConsoleSite {
  const page = Buffer.from(INDEX_HTML);
  return (request, response) => {
    const route = routeConsole(request.method, request.url);
    if (route.kind === "none") return false;
    const file =
      route.kind === "page"
        ? { body: page, contentType: "text/html; charset=utf-8" }
        : bundle.get(route.path);
    if (file === undefined) {
      response.writeHead(404, { ...SECURITY_HEADERS, "content-type": "text/plain; charset=utf-8" });
      response.end("not found\n");
      return true;
    }
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      "content-type": file.contentType,
      "content-length": String(file.body.length),
      // The bundle is rebuilt on every start under the same names: revalidate rather than cache.
      "cache-control": "no-cache",
    });
    if (request.method === "HEAD") response.end();
    else response.end(file.body);
    return true;
  };
}
