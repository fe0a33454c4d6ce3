import { createHmac } from "node:crypto";

/** What senders compute, written out independently of the verifiers, for tests. */
export const hexHmac = (secret: string, data: Uint8Array | string): string =>
  createHmac("sha256", secret).update(data).digest("hex");

export const githubSignature = (secret: string, body: Uint8Array | string): string =>
  `sha256=${hexHmac(secret, body)}`;

export const slackSignature = (secret: string, timestamp: string, body: Uint8Array | string): string =>
  `v0=${hexHmac(secret, Buffer.concat([Buffer.from(`v0:${timestamp}:`), Buffer.from(body)]))}`;

export const genericSignature = (secret: string, body: Uint8Array | string, timestamp?: string): string =>
  `sha256=${hexHmac(secret, timestamp === undefined ? body : Buffer.concat([Buffer.from(`${timestamp}.`), Buffer.from(body)]))}`;

/** `text` with the character at `index` replaced by another character of `alphabet`. */
export function changeCharAt(text: string, index: number, alphabet: string, pick: number): string {
  const i = index % text.length;
  const others = [...alphabet].filter((c) => c !== text[i]);
  return text.slice(0, i) + others[pick % others.length] + text.slice(i + 1);
}

/** A copy of `bytes` with the byte at `index` changed by xor with a non-zero `delta`. */
export function changeByteAt(bytes: Uint8Array, index: number, delta: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[index % copy.length] = copy[index % copy.length]! ^ (1 + (delta % 255));
  return copy;
}
