// Protobuf varints for JS numbers (exact up to 2^53), written straight into a Buffer.

/** Bytes of a varint holding a non-negative integer up to 2^53. */
export function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  let size = 4;
  for (let v = Math.floor(value / 0x10000000); v > 0; v = Math.floor(v / 0x80)) size++;
  return size;
}

/** Size of an int64/int32 varint: negative values take ten bytes (two's complement, sign-extended). */
export function signedVarintSize(value: number): number {
  return value < 0 ? 10 : varintSize(value);
}

export function writeVarint(buf: Buffer, offset: number, value: number): number {
  let o = offset;
  let v = value;
  // Above 2^31 bitwise operators would truncate, so peel off 7 bits arithmetically first.
  while (v > 0x7fffffff) {
    buf[o++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  while (v > 0x7f) {
    buf[o++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[o++] = v;
  return o;
}

export function writeSignedVarint(buf: Buffer, offset: number, value: number): number {
  if (value >= 0) return writeVarint(buf, offset, value);
  // Two's complement over 64 bits: split into 32-bit halves (exact for |value| <= 2^53).
  const low = value % 0x100000000;
  let lo = ((low + 0x100000000) % 0x100000000) >>> 0;
  let hi = (Math.floor(value / 0x100000000) + 0x100000000) >>> 0;
  let o = offset;
  for (let i = 0; i < 9; i++) {
    buf[o++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  buf[o++] = lo & 0x01;
  return o;
}
