import type { Clock } from "./clock.js";
import type { Rng } from "./rng.js";

// Crockford base32: case-insensitive, no ambiguous letters, sorts like the numbers it encodes.
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

/**
 * Makes ids like `axn_01jq3v7k2m9x8p4r6t0w5y1z3c`: a prefix, 10 characters of millisecond time and
 * 16 of randomness (80 bits). Time first, so ids sort by creation time and list pages are stable.
 */
export function newId(prefix: string, clock: Clock, rng: Rng): string {
  let time = Math.max(0, Math.floor(clock.now()));
  const timePart: string[] = [];
  for (let i = 0; i < 10; i++) {
    timePart.unshift(ALPHABET[time % 32]!);
    time = Math.floor(time / 32);
  }
  const random = rng.bytes(10);
  let bits = 0;
  let value = 0;
  let randomPart = "";
  for (const byte of random) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      randomPart += ALPHABET[(value >>> bits) & 31];
    }
    value &= (1 << bits) - 1;
  }
  return `${prefix}_${timePart.join("")}${randomPart}`;
}

/** True when `id` has the shape `newId(prefix, …)` produces. */
export function isId(prefix: string, id: string): boolean {
  return new RegExp(`^${prefix}_[0-9a-hjkmnp-tv-z]{26}$`).test(id);
}
