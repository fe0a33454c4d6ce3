/** What the console answers for a request path, decided without I/O. */
export type ConsoleRoute =
  | { readonly kind: "page" }
  | { readonly kind: "asset"; readonly path: string }
  | { readonly kind: "none" };

/** Paths of the single-page app; each serves index.html and the app routes on the client. */
const PAGE_PATHS = /^\/(?:axons(?:\/[A-Za-z0-9_-]+(?:\/(?:audit|sql))?)?|runtimes|gateway)?\/?$/;

/**
 * Only the console's own paths are claimed; everything else (RPC paths such as
 * `/openaxon.v1.AxonService/Publish`, `/healthz`, unknown paths) passes through untouched, and
 * only GET and HEAD are ever answered.
 */
export function routeConsole(method: string | undefined, url: string | undefined): ConsoleRoute {
  if (method !== "GET" && method !== "HEAD") return { kind: "none" };
  const path = (url ?? "").split(/[?#]/, 1)[0] ?? "";
  if (path.startsWith("/assets/")) return { kind: "asset", path };
  if (PAGE_PATHS.test(path)) return { kind: "page" };
  return { kind: "none" };
}
