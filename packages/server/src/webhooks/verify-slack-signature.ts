import { hexDigestMatches, hmacSha256 } from "./hmac-sha256.js";
import { isFreshTimestamp } from "./signature-window.js";

export interface SlackSignatureHeaders {
  /** `X-Slack-Signature: v0=<hex>`. */
  readonly signature: string | undefined;
  /** `X-Slack-Request-Timestamp`: Unix seconds. */
  readonly timestamp: string | undefined;
}

export type SlackVerdict = "valid" | "bad-signature" | "stale-timestamp";

/**
 * Slack's v0 signing: `v0=` HMAC-SHA256 of `v0:<timestamp>:<raw body>` under the signing secret,
 * with the timestamp within 5 minutes of `nowMs` (so a captured request cannot be replayed later).
 * The signature is checked first: an unsigned sender learns nothing about the window.
 */
export function verifySlackSignature(
  secret: string,
  body: Uint8Array,
  headers: SlackSignatureHeaders,
  nowMs: number,
): SlackVerdict {
  const { signature, timestamp } = headers;
  if (signature === undefined || timestamp === undefined || !signature.startsWith("v0=")) {
    return "bad-signature";
  }
  const expected = hmacSha256(secret, `v0:${timestamp}:`, body);
  if (!hexDigestMatches(signature.slice("v0=".length), expected)) return "bad-signature";
  return isFreshTimestamp(timestamp, nowMs) ? "valid" : "stale-timestamp";
}
