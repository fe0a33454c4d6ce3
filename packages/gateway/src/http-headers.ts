// Hop-by-hop headers describe one connection and must not be forwarded (RFC 9110 §7.6.1).
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authorization",
  "proxy-authenticate",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

const INTERNAL_PREFIX = "x-openaxon-";
const INVALID_VALUE = /[\r\n\0]/;
// RFC 9110 §5.6.2 token characters.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Set by the HTTP layer from the message itself; a configured value would corrupt the framing.
const FRAMING = new Set(["host", "content-length"]);

/**
 * Why `name` cannot be configured as a header the gateway adds to upstream requests, or undefined:
 * not a token, hop-by-hop, framing (`Host`, `Content-Length`) or internal (`x-openaxon-*`).
 */
export function configurableHeaderNameError(name: string): string | undefined {
  const lower = name.toLowerCase();
  const shown = JSON.stringify(name.replace(/[^\u0020-\u007e]/g, "?").slice(0, 64));
  if (!HEADER_NAME.test(name)) return `header name ${shown} is not a valid HTTP header name`;
  if (HOP_BY_HOP.has(lower)) return `header ${shown} is hop-by-hop and is never forwarded`;
  if (FRAMING.has(lower)) return `header ${shown} is set by the gateway itself`;
  if (lower.startsWith(INTERNAL_PREFIX)) return `header ${shown} is reserved for OpenAxon`;
  return undefined;
}

export class InvalidHeaderError extends Error {
  constructor(name: string) {
    super(`header ${name.replace(/[^\u0021-\u007e]/g, "?").slice(0, 64)} has an invalid value`);
  }
}

/**
 * The headers to forward, from a message's `rawHeaders` (name/value pairs, duplicates and case
 * kept). Drops hop-by-hop headers, those named in `Connection`, internal `x-openaxon-*` headers,
 * `Host` (the caller sets it from the checked authority) and any in `drop`. Throws
 * InvalidHeaderError on CR, LF or NUL in a value, so nothing can be smuggled into a second header.
 */
export function forwardableHeaders(rawHeaders: readonly string[], drop: readonly string[] = []): string[] {
  const dropped = new Set([...HOP_BY_HOP, "host", ...drop.map((name) => name.toLowerCase())]);
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() !== "connection") continue;
    for (const token of rawHeaders[i + 1]!.split(",")) dropped.add(token.trim().toLowerCase());
  }
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const value = rawHeaders[i + 1]!;
    if (INVALID_VALUE.test(value) || INVALID_VALUE.test(name)) throw new InvalidHeaderError(name);
    const lower = name.toLowerCase();
    if (dropped.has(lower) || lower.startsWith(INTERNAL_PREFIX)) continue;
    out.push(name, value);
  }
  return out;
}
