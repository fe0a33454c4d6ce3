import { type DescMessage, fromBinary, type MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { binaryWireProblem } from "./binary-wire-problem.js";
import { isJsonText } from "./json-text.js";

// A protobuf reader for the hand-written decoders of the gRPC fast path (publish-wire.ts,
// publish-batch-wire.ts). It reads only what those decoders expect and throws WIRE_FALLBACK on
// anything else (truncation, huge varints, invalid UTF-8, a leading BOM), so the caller can hand the
// bytes to protobuf-es and its strict wire check instead, which give the Connect path's answer.

export class WireFallback extends Error {}
export const WIRE_FALLBACK = new WireFallback();

/**
 * `fast(bytes)`; where it declines (WIRE_FALLBACK), the fields protobuf-es decodes for `schema`,
 * after the strict wire check whose INVALID_ARGUMENT message is the one the Connect path gives the
 * same bytes. Only what the fast decoder declined pays for the check.
 */
export function decodeWithFallback<Desc extends DescMessage, T>(
  bytes: Uint8Array,
  schema: Desc,
  fast: (bytes: Uint8Array) => T,
): T | Omit<MessageShape<Desc>, "$typeName"> {
  try {
    return fast(bytes);
  } catch (error) {
    if (!(error instanceof WireFallback)) throw error;
  }
  const problem = binaryWireProblem(bytes, schema);
  if (problem !== undefined) throw new ConnectError(problem, Code.InvalidArgument);
  const { $typeName: _, ...fields } = fromBinary(schema, bytes);
  return fields;
}

// protobuf-es decodes strings with a fatal TextDecoder (invalid UTF-8 is an error) that drops a BOM;
// both cases go to protobuf-es.
const utf8 = new TextDecoder("utf-8", { fatal: true });
/** Up to this many bytes, a string is first scanned for ASCII, which decodes as latin1 for less. */
const SHORT_STRING = 64;

export class FastWireReader {
  pos: number;
  /** Whether the last `jsonString()` found its bytes to be a JSON text (json-text.ts). */
  jsonChecked = false;
  /** The same bytes as a Buffer, for its decoders and for readers of nested messages (no copy). */
  readonly buffer: Buffer;

  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.pos = start;
    this.buffer = Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** A varint up to 2^49 (beyond that, protobuf-es decides). */
  varint(): number {
    const bytes = this.bytes;
    let value = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end || shift > 42) throw WIRE_FALLBACK;
      const b = bytes[this.pos++]!;
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value;
      shift += 7;
    }
  }

  /** A length-delimited field's length, checked against the end. */
  length(): number {
    const length = this.varint();
    if (this.pos + length > this.end) throw WIRE_FALLBACK;
    return length;
  }

  string(): string {
    return this.text(this.length());
  }

  /**
   * A string field meant to hold JSON (an event's payload). When its bytes are valid UTF-8 and a
   * JSON text, `jsonChecked` is set and the text is decoded without a second UTF-8 check, so the
   * caller can skip JSON.parse; otherwise it is read as `string()` reads it.
   */
  jsonString(): string {
    const length = this.length();
    const o = this.pos;
    this.jsonChecked = isJsonText(this.bytes, o, o + length);
    if (!this.jsonChecked) return this.text(length);
    // A JSON text never starts with a BOM, so this decodes as the fatal decoder would.
    this.pos = o + length;
    return this.buffer.toString("utf8", o, o + length);
  }

  /** The next `length` bytes as UTF-8 (short ASCII strings without TextDecoder's per-call cost). */
  private text(length: number): string {
    const bytes = this.bytes;
    const o = this.pos;
    const end = o + length;
    if (length <= SHORT_STRING) {
      let ascii = true;
      for (let i = o; i < end && ascii; i++) ascii = bytes[i]! < 0x80;
      if (ascii) {
        this.pos = end;
        return this.buffer.toString("latin1", o, end);
      }
    }
    if (length >= 3 && bytes[o] === 0xef && bytes[o + 1] === 0xbb && bytes[o + 2] === 0xbf)
      throw WIRE_FALLBACK;
    let text: string;
    try {
      text = utf8.decode(bytes.subarray(o, end));
    } catch {
      throw WIRE_FALLBACK;
    }
    this.pos = end;
    return text;
  }

  /** An enum or int32 that is not negative (negatives take ten bytes: protobuf-es decides). */
  int32(): number {
    const value = this.varint();
    if (value > 0x7fffffff) throw WIRE_FALLBACK;
    return value;
  }
}
