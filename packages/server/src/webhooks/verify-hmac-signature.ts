import { hexDigestMatches, hmacSha256 } from "./hmac-sha256.js";
import { isFreshTimestamp } from "./signature-window.js";

export interface HmacSignatureHeaders {
  /** `X-Signature-256: sha256=<hex>`. */
  readonly signature: string | undefined;
  /** `X-Signature-Timestamp`: Unix seconds; optional. */
  readonly timestamp: string | undefined;
}

export type HmacVerdict = "valid" | "bad-signature" | "stale-timestamp";

/**
 * The generic provider: `X-Signature-256: sha256=<hex>`, HMAC-SHA256 under the secret of the raw
 * body, or — when `X-Signature-Timestamp` is sent — of `<timestamp>.<raw body>`, the timestamp
 * then within 5 minutes of `nowMs`. Senders that can sign a timestamp should: without one a
 * captured delivery stays valid forever (only its delivery id dedupes it).
 */
export function verifyHmacSignature(
  secret: string,
  body: Uint8Array,
  headers: HmacSignatureHeaders,
  nowMs: number,
): HmacVerdict {
  const { signature, timestamp } = headers;
  if (signature === undefined || !signature.startsWith("sha256=")) return "bad-signature";
  const expected =
    timestamp === undefined ? hmacSha256(secret, body) : hmacSha256(secret, `${timestamp}.`, body);
  if (!hexDigestMatches(signature.slice("sha256=".length), expected)) return "bad-signature";
  return timestamp === undefined || isFreshTimestamp(timestamp, nowMs) ? "valid" : "stale-timestamp";
}
