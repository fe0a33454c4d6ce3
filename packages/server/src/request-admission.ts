import { isIP } from "node:net";
import { isLoopbackHost } from "./auth.js";

/** Which Host names and browser origins the server answers. Built once from the configuration. */
export interface AdmissionPolicy {
  /** The address bound, e.g. "127.0.0.1", "0.0.0.0", "::" or a name. */
  readonly listenHost: string;
  /** Extra names (or addresses) clients may use to reach the server, e.g. behind a proxy. Lower case. */
  readonly allowedHosts: readonly string[];
  /** Cross-origin browser origins allowed to call, normalised by `normalizeOrigin`. */
  readonly corsOrigins: readonly string[];
}

export interface AdmissionRequest {
  /** `Host` (HTTP/1.1) or `:authority` (HTTP/2); undefined when the client sent neither. */
  readonly host: string | undefined;
  /** `Origin`; undefined when absent (CLI, SDK on Node, gRPC clients). */
  readonly origin: string | undefined;
}

export type Admission =
  /** `corsOrigin`: the exact origin to reflect in Access-Control-Allow-Origin, when cross-origin. */
  | { readonly kind: "allow"; readonly corsOrigin?: string }
  | { readonly kind: "refuse"; readonly status: 403 | 421; readonly reason: string };

/**
 * Decides whether a request may reach the API, before anything else looks at it.
 *
 * Host: a browser tricked by DNS rebinding sends the attacker's name as Host, so only names the
 * server is known by pass: loopback names and addresses, the listen address, `--allowed-host`
 * values, and any IP literal when listening on every interface (an address cannot be rebound).
 * The Host's port is not compared: rebinding is defeated by the name, and a reverse proxy may
 * present another port. A request without Host is no browser's and passes.
 *
 * Origin: only browsers send it. Same-origin (the page was served from this very host:port, like
 * a console served by axond) and `--cors-origin` values pass; every other origin, including
 * `null`, is refused, because a page on any site could otherwise drive the API of a keyless
 * loopback server. Requests without Origin pass unchanged.
 */
export function decideRequestAdmission(request: AdmissionRequest, policy: AdmissionPolicy): Admission {
  let host: HostPort | undefined;
  if (request.host !== undefined) {
    host = parseHostHeader(request.host);
    if (host === undefined || !isServedHost(host.name, policy)) {
      return {
        kind: "refuse",
        status: 421,
        reason:
          `Host "${truncate(request.host)}" is not a name this server answers to; ` +
          "add it with --allowed-host (or OPENAXON_ALLOWED_HOSTS) if clients reach the server by that name",
      };
    }
  }
  if (request.origin === undefined) return { kind: "allow" };
  const origin = parseOrigin(request.origin);
  if (origin !== undefined) {
    if (host !== undefined && isSameOrigin(origin, host)) return { kind: "allow" };
    if (policy.corsOrigins.includes(origin.text)) return { kind: "allow", corsOrigin: origin.text };
  }
  return {
    kind: "refuse",
    status: 403,
    reason:
      `cross-origin request from "${truncate(request.origin)}" refused; ` +
      "allow that origin with --cors-origin (or OPENAXON_CORS_ORIGINS) if it is yours",
  };
}

interface HostPort {
  /** Lower case, brackets and a trailing dot removed. */
  readonly name: string;
  readonly port: number | undefined;
}

interface ParsedOrigin {
  readonly scheme: "http" | "https";
  readonly name: string;
  /** Explicit or the scheme's default. */
  readonly port: number;
  /** Canonical text: scheme://host[:port], default port omitted. */
  readonly text: string;
}

/** Parses a Host / :authority value; undefined when malformed (user info, path, bad port). */
export function parseHostHeader(value: string): HostPort | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:/@[\]?#]+)(?::(\d{1,5}))?$/.exec(value.trim());
  if (!match) return undefined;
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && port > 65535) return undefined;
  return { name: normalizeName(match[1]!), port };
}

/**
 * Canonical form of an origin (`https://Console.Example:443` → `https://console.example`), or
 * undefined when it is not an http(s) origin without path, query or user info.
 */
export function normalizeOrigin(value: string): string | undefined {
  return parseOrigin(value)?.text;
}

function parseOrigin(value: string): ParsedOrigin | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  const scheme = url.protocol === "http:" ? "http" : url.protocol === "https:" ? "https" : undefined;
  if (scheme === undefined || url.username !== "" || url.password !== "" || url.hostname === "") {
    return undefined;
  }
  // An origin is scheme://host[:port] only; anything more is not what a browser sends.
  if (!/^https?:\/\/[^/?#]+\/?$/i.test(value)) return undefined;
  const defaultPort = scheme === "http" ? 80 : 443;
  const port = url.port === "" ? defaultPort : Number(url.port);
  const name = normalizeName(url.hostname);
  const hostText = name.includes(":") ? `[${name}]` : name;
  const text = `${scheme}://${hostText}${port === defaultPort ? "" : `:${port}`}`;
  return { scheme, name, port, text };
}

function isSameOrigin(origin: ParsedOrigin, host: HostPort): boolean {
  // A Host without a port means the scheme's default port, as the browser sent it.
  const hostPort = host.port ?? (origin.scheme === "http" ? 80 : 443);
  return origin.name === host.name && origin.port === hostPort;
}

function isServedHost(name: string, policy: AdmissionPolicy): boolean {
  if (isLoopbackHost(name)) return true;
  if (policy.allowedHosts.includes(name)) return true;
  const listen = normalizeName(policy.listenHost);
  if (name === listen) return true;
  return isIP(name) !== 0 && isWildcard(listen);
}

function isWildcard(listen: string): boolean {
  return listen === "0.0.0.0" || listen === "::" || listen === "0:0:0:0:0:0:0:0";
}

function normalizeName(name: string): string {
  const bare = name.startsWith("[") && name.endsWith("]") ? name.slice(1, -1) : name;
  return bare.toLowerCase().replace(/\.$/, "");
}

function truncate(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
