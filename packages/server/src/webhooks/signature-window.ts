/** How far a signed timestamp may be from the server's clock, either way (Slack's own rule). */
export const SIGNATURE_WINDOW_SECONDS = 5 * 60;

/**
 * Whether `timestamp` (a header value: whole Unix seconds, digits only) is within the window of
 * `nowMs`. Anything else — empty, signs, decimals, exponents — is not a timestamp.
 */
export function isFreshTimestamp(timestamp: string, nowMs: number): boolean {
  if (!/^\d{1,15}$/.test(timestamp)) return false;
  return Math.abs(nowMs / 1000 - Number(timestamp)) <= SIGNATURE_WINDOW_SECONDS;
}
