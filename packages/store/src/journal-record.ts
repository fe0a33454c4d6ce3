import { crc32 } from "node:zlib";
import type { KvOp } from "./kv-backend.js";

/**
 * One commit as the write-ahead journal holds it (journal-file.ts): the commit number and the exact
 * LevelDB ops of the batch, so replaying it writes the same bytes the batch did.
 *
 * Record: "OAXR" | u32 LE body length | u64 LE commit number | u32 LE crc32 | body.
 * The CRC covers the journal's salt, the first 16 header bytes and the body. The salt (random, in
 * the journal's header page) keeps a record-shaped run of bytes inside an event payload from ever
 * passing as a record: its CRC cannot be computed without the salt.
 * Body: per op, u8 type (1 put, 2 del) | u32 LE key length | key (UTF-8) | for puts u32 LE value
 * length | value.
 */
export const RECORD_HEADER_BYTES = 20;
const MAGIC = 0x5258_414f; // "OAXR" read as u32 LE
const PUT = 1;
const DEL = 2;

export interface JournalRecord {
  readonly number: number;
  readonly ops: readonly KvOp[];
}

/** Bytes of the encoded record (header included). */
export function journalRecordBytes(ops: readonly KvOp[]): number {
  let bytes = RECORD_HEADER_BYTES;
  for (const op of ops) {
    bytes += 5 + Buffer.byteLength(op.key, "utf8");
    if (op.type === "put") bytes += 4 + op.value.length;
  }
  return bytes;
}

export function encodeJournalRecord(salt: Uint8Array, number: number, ops: readonly KvOp[]): Buffer {
  const record = Buffer.allocUnsafe(journalRecordBytes(ops));
  let at = RECORD_HEADER_BYTES;
  for (const op of ops) {
    record.writeUInt8(op.type === "put" ? PUT : DEL, at);
    const keyBytes = record.write(op.key, at + 5, "utf8");
    record.writeUInt32LE(keyBytes, at + 1);
    at += 5 + keyBytes;
    if (op.type === "put") {
      record.writeUInt32LE(op.value.length, at);
      record.set(op.value, at + 4);
      at += 4 + op.value.length;
    }
  }
  record.writeUInt32LE(MAGIC, 0);
  record.writeUInt32LE(record.length - RECORD_HEADER_BYTES, 4);
  record.writeBigUInt64LE(BigInt(number), 8);
  record.writeUInt32LE(recordCrc(salt, record, record.length), 16);
  return record;
}

/**
 * The record starting at `at` in `bytes`, with its encoded length, or undefined if there is none
 * (zeros, a torn write, an overwritten or foreign run of bytes).
 */
export function decodeJournalRecord(
  salt: Uint8Array,
  bytes: Buffer,
  at: number,
): { readonly record: JournalRecord; readonly length: number } | undefined {
  if (at + RECORD_HEADER_BYTES > bytes.length || bytes.readUInt32LE(at) !== MAGIC) return undefined;
  const length = RECORD_HEADER_BYTES + bytes.readUInt32LE(at + 4);
  if (at + length > bytes.length) return undefined;
  const view = bytes.subarray(at, at + length);
  if (view.readUInt32LE(16) !== recordCrc(salt, view, length)) return undefined;
  const ops = decodeOps(view);
  if (!ops) return undefined;
  return { record: { number: Number(view.readBigUInt64LE(8)), ops }, length };
}

function recordCrc(salt: Uint8Array, record: Buffer, length: number): number {
  const head = crc32(record.subarray(0, 16), crc32(salt));
  return crc32(record.subarray(RECORD_HEADER_BYTES, length), head);
}

function decodeOps(record: Buffer): KvOp[] | undefined {
  const ops: KvOp[] = [];
  let at = RECORD_HEADER_BYTES;
  while (at < record.length) {
    if (at + 5 > record.length) return undefined;
    const type = record.readUInt8(at);
    const keyBytes = record.readUInt32LE(at + 1);
    const keyEnd = at + 5 + keyBytes;
    if (keyEnd > record.length) return undefined;
    const key = record.toString("utf8", at + 5, keyEnd);
    if (type === DEL) {
      ops.push({ type: "del", key });
      at = keyEnd;
      continue;
    }
    if (type !== PUT || keyEnd + 4 > record.length) return undefined;
    const valueEnd = keyEnd + 4 + record.readUInt32LE(keyEnd);
    if (valueEnd > record.length) return undefined;
    // A copy: the scan's buffer is large and short-lived, the ops outlive it until replayed.
    ops.push({ type: "put", key, value: Uint8Array.prototype.slice.call(record, keyEnd + 4, valueEnd) });
    at = valueEnd;
  }
  return ops;
}
