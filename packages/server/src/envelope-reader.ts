import { Code, ConnectError } from "@connectrpc/connect";
import { overReadLimitMessage } from "./read-limits.js";

const EMPTY = Buffer.alloc(0);

/** One length-prefixed message of a gRPC or Connect stream: its flags byte and its bytes. */
export interface Envelope {
  readonly flags: number;
  readonly message: Uint8Array;
}

/**
 * Cuts a request stream's bytes into envelopes (1 flags byte, a 4-byte big-endian length, the
 * message) as they arrive, chunk boundaries anywhere. A message that fits in one chunk is a view of
 * it, not a copy. A declared length over `readMaxBytes` is RESOURCE_EXHAUSTED as soon as its header
 * is read, before any of its bytes are held.
 */
export class EnvelopeReader {
  readonly #chunks: Buffer[] = [];
  /** Bytes of #chunks[0] already consumed. */
  #offset = 0;
  #buffered = 0;

  constructor(private readonly readMaxBytes: number) {}

  /** Bytes received and not yet returned as envelopes. */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
  }

  /** The next whole envelope, or undefined until more bytes arrive. */
  next(): Envelope | undefined {
    if (this.#buffered < 5) return undefined;
    const header = this.#take(5, false);
    const length = header.readUInt32BE(1);
    if (length > this.readMaxBytes) {
      throw new ConnectError(overReadLimitMessage(this.readMaxBytes), Code.ResourceExhausted);
    }
    if (this.#buffered < 5 + length) return undefined;
    const flags = header[0]!;
    this.#skip(5);
    return { flags, message: this.#take(length, true) };
  }

  /** Returns the first `n` buffered bytes (a view when they lie in one chunk), consuming them if asked. */
  #take(n: number, consume: boolean): Buffer {
    if (n === 0) return EMPTY;
    const first = this.#chunks[0]!;
    let bytes: Buffer;
    if (first.length - this.#offset >= n) {
      bytes = first.subarray(this.#offset, this.#offset + n);
    } else {
      bytes = Buffer.allocUnsafe(n);
      let filled = 0;
      let offset = this.#offset;
      for (const chunk of this.#chunks) {
        filled += chunk.copy(bytes, filled, offset, Math.min(chunk.length, offset + n - filled));
        offset = 0;
        if (filled === n) break;
      }
    }
    if (consume) this.#skip(n);
    return bytes;
  }

  #skip(n: number): void {
    this.#buffered -= n;
    let left = n;
    while (left > 0) {
      const first = this.#chunks[0]!;
      const available = first.length - this.#offset;
      if (available > left) {
        this.#offset += left;
        return;
      }
      left -= available;
      this.#chunks.shift();
      this.#offset = 0;
    }
  }
}
