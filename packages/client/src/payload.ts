import type { PayloadInput } from "./types.js";

/**
 * Payload → JSON text. Strings are taken verbatim as JSON text (the server validates them), so
 * callers holding JSON already pay no re-serialisation.
 */
export function encodePayload(payload: PayloadInput): string {
  if (typeof payload === "string") return payload;
  const text = JSON.stringify(payload);
  if (text === undefined) {
    throw new TypeError(`payload is not JSON-serialisable (got ${typeof payload})`);
  }
  return text;
}
