import { createHmac, timingSafeEqual } from "node:crypto";

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

/** HMAC-SHA256 of `parts` (concatenated) under `secret`. */
export function hmacSha256(secret: string, ...parts: (string | Uint8Array)[]): Buffer {
  const mac = createHmac("sha256", secret);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/**
 * Whether `hex` (as a header carries it) is exactly `expected`. Malformed hex is false at once —
 * its length and shape say nothing about the secret — and well-formed hex is compared in constant
 * time, so the answer's timing does not reveal how many leading bytes matched.
 */
export function hexDigestMatches(hex: string, expected: Buffer): boolean {
  if (!HEX_SHA256.test(hex)) return false;
  return timingSafeEqual(Buffer.from(hex, "hex"), expected);
}
