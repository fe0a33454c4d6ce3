import type { SqlParam } from "@openaxon/client";
import { UsageError } from "./errors.js";

const INTEGER = /^-?\d+$/;
const REAL = /^-?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$/;
const BLOB = /^[xX]'([0-9a-fA-F]*)'$/;

/**
 * One `--param` value, SQLite-literal style: NULL, an integer (exact, bigint past 2^53), a real,
 * X'hex' for a blob, 'quoted' for text that would otherwise read as one of those; anything else
 * is text as typed.
 */
export function parseSqlParam(text: string): SqlParam {
  if (text.toUpperCase() === "NULL") return null;
  if (INTEGER.test(text)) {
    const value = BigInt(text);
    if (value < -(2n ** 63n) || value > 2n ** 63n - 1n) {
      throw new UsageError(`--param ${text} is outside the 64-bit integer range`);
    }
    return Number.isSafeInteger(Number(text)) ? Number(text) : value;
  }
  if (REAL.test(text)) return Number(text);
  const blob = BLOB.exec(text);
  if (blob) {
    if (blob[1]!.length % 2 !== 0)
      throw new UsageError(`--param ${text}: a blob needs an even number of hex digits`);
    return Uint8Array.from(blob[1]!.match(/../g) ?? [], (byte) => Number.parseInt(byte, 16));
  }
  if (text.length >= 2 && text.startsWith("'") && text.endsWith("'"))
    return text.slice(1, -1).replaceAll("''", "'");
  return text;
}
