import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { type BundledFile, bundleConsole, type ConsoleBundle } from "./bundle-console.js";
import { routeConsole } from "./console-routes.js";
import { INDEX_HTML } from "./index-html.js";
import { SECURITY_HEADERS } from "./security-headers.js";

export type ConsoleSite = (
  request: IncomingMessage | Http2ServerRequest,
  response: ServerResponse | Http2ServerResponse,
) => boolean;

export interface ConsoleSiteOptions {
  /** Builds the bundle; default `bundleConsole` (esbuild, in memory). */
  readonly bundle?: () => Promise<ConsoleBundle>;
  /** Told when bundling fails (the request gets 500; the next one tries again). */
  readonly onBundleError?: (error: unknown) => void;
}

/**
 * The handler that serves the console; see `SiteHandler` in @openaxon/server. The bundle is built
 * on the first request for the console and kept in memory: a server nobody browses (tests,
 * headless deployments) never spends the few hundred milliseconds of CPU, and startup is not
 * delayed by it.
 */
export function createConsoleSite(options: ConsoleSiteOptions = {}): ConsoleSite {
  const build = options.bundle ?? bundleConsole;
  let bundle: Promise<ConsoleBundle> | undefined;
  const page: BundledFile = { body: Buffer.from(INDEX_HTML), contentType: "text/html; charset=utf-8" };
  return (request, response) => {
    const route = routeConsole(request.method, request.url);
    if (route.kind === "none") return false;
    if (route.kind === "page") {
      send(request, response, page);
      return true;
    }
    bundle ??= build();
    bundle.then(
      (files) => send(request, response, files.get(route.path)),
      (error: unknown) => {
        bundle = undefined;
        options.onBundleError?.(error);
        response.writeHead(500, { ...SECURITY_HEADERS, "content-type": "text/plain; charset=utf-8" });
        response.end("the console could not be bundled; see the server log\n");
      },
    );
    return true;
  };
}

function send(
  request: IncomingMessage | Http2ServerRequest,
  response: ServerResponse | Http2ServerResponse,
  file: BundledFile | undefined,
): void {
  if (file === undefined) {
    response.writeHead(404, { ...SECURITY_HEADERS, "content-type": "text/plain; charset=utf-8" });
    response.end("not found\n");
    return;
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
}
