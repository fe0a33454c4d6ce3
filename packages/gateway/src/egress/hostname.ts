import { domainToASCII } from "node:url";
import { formatIp, type IpAddress, parseIpLiteral } from "./ip-address.js";

/** A request's host after normalization: an IP literal or a DNS name in lowercase punycode. */
export type NormalizedHost =
  | { readonly kind: "ip"; readonly ip: IpAddress; readonly text: string }
  | { readonly kind: "name"; readonly name: string };

/** An `allowed_hostnames` entry: an exact name, or `*.suffix` matching any name below suffix. */
export type HostnamePattern =
  | { readonly kind: "exact"; readonly name: string }
  | { readonly kind: "wildcard"; readonly suffix: string };

const FORBIDDEN_PUNCTUATION = new Set("%/\\@?#[]<>^|\"'`{}");
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
const NUMERIC_LABEL = /^(?:0x[0-9a-f]*|[0-9]+)$/;

/**
 * Normalizes a host as it appears in a request (IPv6 without brackets). Names are lowercased,
 * lose one trailing dot and are converted to punycode, so "API.GitHub.com." and "api.github.com"
 * are the same name to every rule. Numeric forms other than a plain dotted quad ("127.1",
 * "0x7f.0.0.1", "2130706433") are rejected: resolvers disagree on what they mean.
 */
export function normalizeHost(input: string): NormalizedHost | { error: string } {
  if (input.length === 0) return { error: "empty host" };
  if (input.length > 255 || hasForbiddenCharacter(input))
    return { error: "host contains invalid characters" };
  const ip = parseIpLiteral(input);
  if (ip) return { kind: "ip", ip, text: formatIp(ip) };
  if (input.includes(":")) return { error: "invalid IPv6 address" };
  const name = normalizeHostname(input);
  return typeof name === "string" ? { kind: "name", name } : name;
}

/** Normalizes a DNS name (see normalizeHost); IP literals are an error here. */
export function normalizeHostname(input: string): string | { error: string } {
  if (input.length === 0 || input.length > 255 || hasForbiddenCharacter(input) || input.includes(":")) {
    return { error: `invalid host name "${printable(input)}"` };
  }
  let ascii = domainToASCII(input);
  if (ascii === "") return { error: `invalid host name "${printable(input)}"` };
  if (ascii.endsWith(".")) ascii = ascii.slice(0, -1);
  const labels = ascii.split(".");
  if (parseIpLiteral(ascii) || NUMERIC_LABEL.test(labels[labels.length - 1]!)) {
    return { error: `ambiguous numeric host "${printable(input)}"; write IPv4 addresses as a.b.c.d` };
  }
  if (ascii.length > 253 || !labels.every((label) => LABEL.test(label))) {
    return { error: `invalid host name "${printable(input)}"` };
  }
  return ascii;
}

/** Parses an `allowed_hostnames` entry. A wildcard may only be the whole first label. */
export function parseHostnamePattern(pattern: string): HostnamePattern | { error: string } {
  const wildcard = pattern.startsWith("*.");
  const rest = wildcard ? pattern.slice(2) : pattern;
  if (rest.includes("*")) {
    return {
      error: `"${printable(pattern)}": a wildcard may only be the whole first label, as in *.example.com`,
    };
  }
  if (parseIpLiteral(rest) || rest.includes(":")) {
    return { error: `"${printable(pattern)}" is an IP address; use allowed_cidrs for addresses` };
  }
  const name = normalizeHostname(rest);
  if (typeof name !== "string") return { error: `"${printable(pattern)}": ${name.error}` };
  if (!wildcard) return { kind: "exact", name };
  // "*.com" would open a whole top-level domain; demand at least a registrable-looking suffix.
  if (!name.includes("."))
    return { error: `"${printable(pattern)}" is too broad; name at least two labels after *.` };
  return { kind: "wildcard", suffix: name };
}

/** True when the normalized `hostname` matches `pattern`. */
export function hostnameMatches(pattern: HostnamePattern, hostname: string): boolean {
  return pattern.kind === "exact" ? hostname === pattern.name : hostname.endsWith(`.${pattern.suffix}`);
}

export function formatHostnamePattern(pattern: HostnamePattern): string {
  return pattern.kind === "exact" ? pattern.name : `*.${pattern.suffix}`;
}

// Controls, spaces and URL delimiters: nothing a host name can contain, everything a smuggler wants.
function hasForbiddenCharacter(text: string): boolean {
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (code <= 0x20 || code === 0x7f || FORBIDDEN_PUNCTUATION.has(char)) return true;
  }
  return false;
}

// Error messages may reach logs and events: keep them one short line of visible characters.
function printable(text: string): string {
  const clean = text.replace(/[^\u0021-\u007e]/g, "?");
  return clean.length > 80 ? `${clean.slice(0, 80)}…` : clean;
}
