// Whether a byte range is a JSON text in valid UTF-8: the check the publish fast paths make on a
// payload's wire bytes, so the payload need not go through JSON.parse (which builds every object and
// string only to throw them away, ~1 µs of a typical 150-byte payload; this scan is ~0.2 µs).
//
// It answers exactly as JSON.parse of the bytes decoded by a fatal TextDecoder that keeps a BOM
// succeeding would (RFC 8259: the four whitespace bytes, no trailing commas, no leading zeros, raw
// control characters never inside strings, any nesting depth), so a caller may skip JSON.parse
// when it says true and must fall back to it (for the error message) when it says false.

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

const IN_ARRAY = 0;
const IN_OBJECT = 1;

/** The open containers of the text being checked; grown (never shrunk) for deeper texts. */
let containers: Uint8Array = new Uint8Array(256);

export function isJsonText(bytes: Uint8Array, start: number, end: number): boolean {
  let i = start;
  let depth = 0;
  for (;;) {
    // A value starts at i (after whitespace).
    i = skipWhitespace(bytes, i, end);
    if (i >= end) return false;
    const c = bytes[i]!;
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      const close = c === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY;
      i = skipWhitespace(bytes, i + 1, end);
      if (i < end && bytes[i] === close) {
        i++;
      } else {
        if (depth === containers.length) containers = grow(containers);
        containers[depth++] = c === OPEN_OBJECT ? IN_OBJECT : IN_ARRAY;
        if (c === OPEN_OBJECT) {
          i = memberName(bytes, i, end);
          if (i < 0) return false;
        }
        continue;
      }
    } else if (c === QUOTE) {
      i = stringEnd(bytes, i + 1, end);
    } else if (c === 0x74) {
      i = literalEnd(bytes, i, end, TRUE);
    } else if (c === 0x66) {
      i = literalEnd(bytes, i, end, FALSE);
    } else if (c === 0x6e) {
      i = literalEnd(bytes, i, end, NULL);
    } else {
      i = numberEnd(bytes, i, end);
    }
    if (i < 0) return false;
    // After a value: close what ends here, then a comma starts the next value (or member).
    for (;;) {
      i = skipWhitespace(bytes, i, end);
      if (depth === 0) return i === end;
      if (i >= end) return false;
      const d = bytes[i++]!;
      const inObject = containers[depth - 1] === IN_OBJECT;
      if (d === COMMA) {
        if (inObject) {
          i = memberName(bytes, skipWhitespace(bytes, i, end), end);
          if (i < 0) return false;
        }
        break;
      }
      if (d !== (inObject ? CLOSE_OBJECT : CLOSE_ARRAY)) return false;
      depth--;
    }
  }
}

function grow(stack: Uint8Array): Uint8Array {
  const bigger = new Uint8Array(stack.length * 2);
  bigger.set(stack);
  return bigger;
}

function skipWhitespace(bytes: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = bytes[i]!;
    if (c !== SPACE && c !== LF && c !== CR && c !== TAB) break;
    i++;
  }
  return i;
}

/** `"name"` then `:` from i (at the quote); the index after the colon, or -1. */
function memberName(bytes: Uint8Array, i: number, end: number): number {
  if (i >= end || bytes[i] !== QUOTE) return -1;
  i = stringEnd(bytes, i + 1, end);
  if (i < 0) return -1;
  i = skipWhitespace(bytes, i, end);
  return i < end && bytes[i] === COLON ? i + 1 : -1;
}

/** From just after an opening quote: the index after the closing quote, or -1. */
function stringEnd(bytes: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = bytes[i++]!;
    if (c === QUOTE) return i;
    if (c < SPACE) return -1;
    if (c === BACKSLASH) {
      if (i >= end) return -1;
      const e = bytes[i++]!;
      if (e === 0x75) {
        if (i + 4 > end) return -1;
        for (const stop = i + 4; i < stop; i++) if (!isHexDigit(bytes[i]!)) return -1;
      } else if (!isEscapeLetter(e)) {
        return -1;
      }
    } else if (c >= 0x80) {
      i = utf8SequenceEnd(bytes, i, end, c);
      if (i < 0) return -1;
    }
  }
  return -1;
}

/** `"`, `\`, `/`, `b`, `f`, `n`, `r`, `t`: the escapes besides `\u`. */
function isEscapeLetter(e: number): boolean {
  return (
    e === QUOTE ||
    e === BACKSLASH ||
    e === 0x2f ||
    e === 0x62 ||
    e === 0x66 ||
    e === 0x6e ||
    e === 0x72 ||
    e === 0x74
  );
}

function isHexDigit(h: number): boolean {
  return (h >= ZERO && h <= NINE) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66);
}

/**
 * A multi-byte UTF-8 sequence whose lead byte `lead` was at i - 1: the index after it, or -1 for
 * what a fatal TextDecoder rejects (overlong forms, surrogates, beyond U+10FFFF, truncation).
 */
function utf8SequenceEnd(bytes: Uint8Array, i: number, end: number, lead: number): number {
  let continuations: number;
  let low = 0x80;
  let high = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) continuations = 1;
  else if (lead >= 0xe0 && lead <= 0xef) {
    continuations = 2;
    if (lead === 0xe0) low = 0xa0;
    else if (lead === 0xed) high = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    continuations = 3;
    if (lead === 0xf0) low = 0x90;
    else if (lead === 0xf4) high = 0x8f;
  } else return -1;
  if (i + continuations > end) return -1;
  const second = bytes[i]!;
  if (second < low || second > high) return -1;
  for (let k = 1; k < continuations; k++) {
    const b = bytes[i + k]!;
    if (b < 0x80 || b > 0xbf) return -1;
  }
  return i + continuations;
}

const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

function literalEnd(bytes: Uint8Array, i: number, end: number, literal: readonly number[]): number {
  if (i + literal.length > end) return -1;
  for (let k = 0; k < literal.length; k++) if (bytes[i + k] !== literal[k]) return -1;
  return i + literal.length;
}

/** `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` from i: the index after it, or -1. */
function numberEnd(bytes: Uint8Array, i: number, end: number): number {
  if (i < end && bytes[i] === MINUS) i++;
  if (i >= end) return -1;
  if (bytes[i] === ZERO) i++;
  else {
    const after = digitsEnd(bytes, i, end);
    if (after === i) return -1;
    i = after;
  }
  if (i < end && bytes[i] === DOT) {
    const after = digitsEnd(bytes, i + 1, end);
    if (after === i + 1) return -1;
    i = after;
  }
  if (i < end && (bytes[i] === 0x65 || bytes[i] === 0x45)) {
    i++;
    if (i < end && (bytes[i] === PLUS || bytes[i] === MINUS)) i++;
    const after = digitsEnd(bytes, i, end);
    if (after === i) return -1;
    i = after;
  }
  return i;
}

function digitsEnd(bytes: Uint8Array, i: number, end: number): number {
  while (i < end && bytes[i]! >= ZERO && bytes[i]! <= NINE) i++;
  return i;
}
