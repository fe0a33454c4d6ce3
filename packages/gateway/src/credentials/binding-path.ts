/** A request to the credential gateway, split into the binding it names and the rest of its target. */
export interface BindingTarget {
  readonly bindingId: string;
  /** The path after `/b/<id>` ("" or starting with "/"), without the query. */
  readonly path: string;
  /** "" or "?…". */
  readonly query: string;
}

export type UpstreamPath =
  | { readonly path: string }
  | { readonly status: 400 | 403; readonly rule: string; readonly error: string };

/** `/b/<bindingId>[/path][?query]`; undefined for anything else. */
export function parseBindingTarget(url: string): BindingTarget | undefined {
  const match = /^\/b\/([A-Za-z0-9_]+)(\/[^?]*)?(\?.*)?$/.exec(url);
  if (!match) return undefined;
  return { bindingId: match[1]!, path: match[2] ?? "", query: match[3] ?? "" };
}

// Upstreams differ in what they decode before routing: some turn %2f or a backslash into a
// separator, some do not. The gateway cannot know, so it refuses what could mean either.
const AMBIGUOUS = /%2f|%5c|\\|#|%00/i;
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/**
 * The path to send upstream for `agentPath` under the endpoint's `basePath`: dot segments (also
 * percent-encoded, `%2e%2e`) are resolved as RFC 3986 §5.2.4 does, and a path that would climb
 * above the binding's root — and so out of the base path the secret is meant for — is refused,
 * as is anything an upstream could read as a separator (`%2f`, `%5c`, `\`) or a fragment.
 */
export function upstreamPath(basePath: string, agentPath: string): UpstreamPath {
  if (AMBIGUOUS.test(agentPath)) {
    return {
      status: 400,
      rule: "deny:invalid-path",
      error: "encoded slashes, backslashes, NUL and fragments are not allowed in a gateway path",
    };
  }
  const segments: string[] = [];
  const parts = agentPath === "" ? [] : agentPath.slice(1).split("/");
  let trailingSlash = false;
  for (const part of parts) {
    trailingSlash = false;
    if (!DOT_SEGMENT.test(part)) {
      segments.push(part);
      continue;
    }
    trailingSlash = true;
    if (part.replace(/%2e/gi, ".") === ".") continue;
    if (segments.length === 0) {
      return {
        status: 403,
        rule: "deny:path-escape",
        error: "the path leaves the gateway's configured base path",
      };
    }
    segments.pop();
  }
  const rest =
    parts.length === 0 ? "" : `/${segments.join("/")}${trailingSlash && segments.length > 0 ? "/" : ""}`;
  const base = basePath.replace(/\/$/, "");
  return { path: `${base}${rest}` || "/" };
}
