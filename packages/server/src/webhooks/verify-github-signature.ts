import { hexDigestMatches, hmacSha256 } from "./hmac-sha256.js";

/**
 * GitHub's `X-Hub-Signature-256: sha256=<hex>`: HMAC-SHA256 of the raw body under the webhook's
 * secret. GitHub signs no timestamp, so freshness cannot be checked; replays of one delivery are
 * caught by its `X-GitHub-Delivery` id instead.
 */
export function verifyGithubSignature(secret: string, body: Uint8Array, header: string | undefined): boolean {
  if (header === undefined || !header.startsWith("sha256=")) return false;
  return hexDigestMatches(header.slice("sha256=".length), hmacSha256(secret, body));
}
