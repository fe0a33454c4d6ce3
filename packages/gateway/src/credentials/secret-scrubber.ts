import { Transform } from "node:stream";

export const REDACTED = "[redacted]";

/**
 * The forms in which an upstream echoing a request could hand an injected secret back: as is,
 * JSON-escaped, URL-encoded, base64-encoded, and — for Basic auth — the whole base64 credential.
 */
export function secretForms(secret: string, basicUser?: string): string[] {
  const forms = new Set([
    secret,
    JSON.stringify(secret).slice(1, -1),
    encodeURIComponent(secret),
    Buffer.from(secret).toString("base64").replace(/=+$/, ""),
  ]);
  if (basicUser !== undefined)
    forms.add(Buffer.from(`${basicUser}:${secret}`).toString("base64").replace(/=+$/, ""));
  return [...forms].filter((form) => form.length > 0);
}

/** Replaces every occurrence of the needles in one string (leftmost, then longest, first). */
export function scrubText(text: string, needles: readonly string[], replacement = REDACTED): string {
  const scrubber = new Scrubber(
    needles.map((n) => Buffer.from(n)),
    Buffer.from(replacement),
  );
  return Buffer.concat(scrubber.push(Buffer.from(text), true)).toString("utf8");
}

/**
 * A streaming find-and-replace for response bodies. It holds back only a tail that could be the
 * start of a needle, so a secret split across chunks is still caught while everything else —
 * server-sent events in particular — passes through chunk by chunk without waiting.
 */
export function createSecretScrubber(needles: readonly string[], replacement = REDACTED): Transform {
  const scrubber = new Scrubber(
    needles.map((n) => Buffer.from(n)),
    Buffer.from(replacement),
  );
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      for (const part of scrubber.push(chunk, false)) this.push(part);
      callback();
    },
    flush(callback) {
      for (const part of scrubber.push(Buffer.alloc(0), true)) this.push(part);
      callback();
    },
  });
}

class Scrubber {
  #carry = Buffer.alloc(0);
  readonly #needles: Buffer[];
  readonly #maxLength: number;

  constructor(
    needles: Buffer[],
    private readonly replacement: Buffer,
  ) {
    this.#needles = needles.filter((n) => n.length > 0);
    this.#maxLength = Math.max(0, ...this.#needles.map((n) => n.length));
  }

  push(chunk: Buffer, final: boolean): Buffer[] {
    const buf = this.#carry.length > 0 ? Buffer.concat([this.#carry, chunk]) : chunk;
    const out: Buffer[] = [];
    // Where a needle might begin but the data ends first: decided only once more data arrives.
    const pending = final ? buf.length : this.#partialStart(buf);
    let i = 0;
    for (;;) {
      const match = this.#firstMatch(buf, i);
      if (!match || match.at >= pending) break;
      if (match.at > i) out.push(buf.subarray(i, match.at));
      out.push(this.replacement);
      i = match.at + match.length;
    }
    const keepFrom = Math.max(i, pending);
    if (keepFrom > i) out.push(buf.subarray(i, keepFrom));
    this.#carry = Buffer.from(buf.subarray(keepFrom));
    return out;
  }

  #firstMatch(buf: Buffer, from: number): { at: number; length: number } | undefined {
    let best: { at: number; length: number } | undefined;
    for (const needle of this.#needles) {
      const at = buf.indexOf(needle, from);
      if (at < 0) continue;
      if (!best || at < best.at || (at === best.at && needle.length > best.length))
        best = { at, length: needle.length };
    }
    return best;
  }

  /** The first offset whose remaining bytes are a proper prefix of some needle. */
  #partialStart(buf: Buffer): number {
    for (let at = Math.max(0, buf.length - this.#maxLength + 1); at < buf.length; at++) {
      const tail = buf.subarray(at);
      if (this.#needles.some((n) => n.length > tail.length && n.subarray(0, tail.length).equals(tail)))
        return at;
    }
    return buf.length;
  }
}
