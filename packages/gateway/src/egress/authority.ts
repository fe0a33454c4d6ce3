import { type NormalizedHost, normalizeHost } from "./hostname.js";

/** A checked request destination: a normalized host and a port in 1..65535. */
export interface Authority {
  readonly host: NormalizedHost;
  readonly port: number;
}

export interface AbsoluteHttpTarget {
  readonly authority: Authority;
  /** Origin-form path and query to send upstream ("/" when the URL has none). */
  readonly path: string;
}

type Failure = { readonly error: string };

// Request targets are ASCII without spaces or controls; anything else is a smuggling attempt or a
// broken client, and either way it must not get near the policy.
const INVALID_TARGET = /[^\u0021-\u007e]|\\/;

/** Parses a CONNECT target: `host:port` or `[ipv6]:port`. The port is required. */
export function parseConnectAuthority(target: string): Authority | Failure {
  if (INVALID_TARGET.test(target)) return { error: "invalid characters in CONNECT target" };
  return parseAuthority(target, undefined);
}

/**
 * Parses an absolute-form request target (`http://host[:port]/path?query`). Only plain http:
 * https goes through CONNECT so that TLS stays end to end.
 */
export function parseAbsoluteHttpTarget(target: string): AbsoluteHttpTarget | Failure {
  if (INVALID_TARGET.test(target) || target.includes("#"))
    return { error: "invalid characters in request target" };
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(target);
  if (!scheme) return { error: "the proxy needs an absolute-form (http://host/path) or CONNECT request" };
  if (scheme[1]!.toLowerCase() !== "http") {
    return { error: `${scheme[1]!.toLowerCase()}:// is not proxied as absolute-form; use CONNECT` };
  }
  const rest = target.slice(scheme[0].length);
  const end = rest.search(/[/?]/);
  const authorityText = end < 0 ? rest : rest.slice(0, end);
  const pathPart = end < 0 ? "/" : rest.slice(end);
  const authority = parseAuthority(authorityText, 80);
  if ("error" in authority) return authority;
  return { authority, path: pathPart.startsWith("?") ? `/${pathPart}` : pathPart };
}

/** `host:port`, with brackets around IPv6 literals. */
export function formatAuthority(authority: Authority): string {
  return `${formatHost(authority.host)}:${authority.port}`;
}

export function formatHost(host: NormalizedHost): string {
  if (host.kind === "name") return host.name;
  return host.ip.version === 6 ? `[${host.text}]` : host.text;
}

function parseAuthority(text: string, defaultPort: number | undefined): Authority | Failure {
  if (text.includes("@")) return { error: "user information is not allowed in the authority" };
  let hostText: string;
  let portText: string | undefined;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0) return { error: "unterminated IPv6 literal" };
    hostText = text.slice(1, close);
    const after = text.slice(close + 1);
    if (after !== "" && !after.startsWith(":")) return { error: "unexpected characters after IPv6 literal" };
    portText = after === "" ? undefined : after.slice(1);
    if (!hostText.includes(":")) return { error: "brackets are only for IPv6 literals" };
  } else {
    if (text.includes("[") || text.includes("]")) return { error: "misplaced bracket in authority" };
    const parts = text.split(":");
    if (parts.length > 2) return { error: "too many colons in authority (bracket IPv6 literals)" };
    hostText = parts[0]!;
    portText = parts[1];
  }
  if (portText === undefined) {
    if (defaultPort === undefined) return { error: "the port is required" };
    portText = String(defaultPort);
  }
  const port = parsePort(portText);
  if (port === undefined) return { error: "the port must be a number from 1 to 65535" };
  const host = normalizeHost(hostText);
  if ("error" in host) return host;
  if (text.startsWith("[") !== (host.kind === "ip" && host.ip.version === 6)) {
    return { error: "IPv6 literals must be bracketed" };
  }
  return { host, port };
}

function parsePort(text: string): number | undefined {
  if (!/^[1-9][0-9]{0,4}$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}
