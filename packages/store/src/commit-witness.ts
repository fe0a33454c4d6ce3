import { constants } from "node:fs";
import { type FileHandle, open, readFile, rename } from "node:fs/promises";
import { dirname, join } from "node:path";
import { crc32 } from "node:zlib";
import type { WitnessReading } from "./decide-commit-check.js";

/**
 * The commit witness: a small file in the store directory (LevelDB ignores names it did not make)
 * recording the newest batch number, outside LevelDB's write-ahead log, so a log that lost its tail
 * shows (decide-commit-check.ts).
 *
 * Two slots, a page apart so a torn write damages at most one; batch n goes to slot n % 2.
 * Slot: "OAXW" | u8 state (1 issued, 2 acknowledged) | 3 zero bytes | u64 LE number | u32 LE crc32
 * of the bytes before it. The file is opened O_DSYNC: one write is durable when it returns.
 */
export const COMMIT_WITNESS_FILE = "OPENAXON-COMMITS";

const SLOT_SIZE = 20;
const SLOT_OFFSETS = [0, 4096] as const;
const MAGIC = Buffer.from("OAXW", "latin1");
const ISSUED = 1;
const ACKED = 2;

export const commitWitnessPath = (storePath: string) => join(storePath, COMMIT_WITNESS_FILE);

/** Where batch `number` is recorded (tests tear it). */
export const witnessSlotOffset = (number: number): number => SLOT_OFFSETS[number % 2]!;

function encodeSlot(number: number, state: number): Buffer {
  const slot = Buffer.alloc(SLOT_SIZE);
  MAGIC.copy(slot, 0);
  slot.writeUInt8(state, 4);
  slot.writeBigUInt64LE(BigInt(number), 8);
  slot.writeUInt32LE(crc32(slot.subarray(0, 16)), 16);
  return slot;
}

/** The acknowledged count a slot proves, or undefined if the slot is not intact. */
function decodeSlot(slot: Buffer): number | undefined {
  if (slot.length < SLOT_SIZE || !slot.subarray(0, 4).equals(MAGIC)) return undefined;
  if (slot.readUInt32LE(16) !== crc32(slot.subarray(0, 16))) return undefined;
  const state = slot.readUInt8(4);
  const number = Number(slot.readBigUInt64LE(8));
  if (state === ACKED) return number;
  if (state === ISSUED) return number - 1;
  return undefined;
}

/** Reads the witness without changing anything (axond verify uses this too). */
export async function readCommitWitness(storePath: string): Promise<WitnessReading> {
  let bytes: Buffer;
  try {
    bytes = await readFile(commitWitnessPath(storePath));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { kind: "missing" };
    throw error;
  }
  const counts = SLOT_OFFSETS.map((at) => decodeSlot(bytes.subarray(at, at + SLOT_SIZE))).filter(
    (n): n is number => n !== undefined,
  );
  if (counts.length === 0) return { kind: "unreadable", detail: "neither slot is intact" };
  return { kind: "acked", acked: Math.max(...counts) };
}

/** The witness open for writing. Writes are serialized; each is durable when it resolves. */
export class CommitWitness {
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(private readonly file: FileHandle) {}

  /**
   * Opens the witness in `storePath` after the open check passed, first replacing it (atomically:
   * temp file, fsync, rename, fsync the directory) with both slots saying "`acked` acknowledged",
   * `acked` being the count LevelDB holds. Sound, since batches of this run are numbered after it;
   * and needed, since a crash may have torn one slot: were the next write to tear the other, a
   * sound store would read as unreadable.
   */
  static async open(storePath: string, acked: number): Promise<CommitWitness> {
    const path = commitWitnessPath(storePath);
    await replaceAtomically(path, acked);
    return new CommitWitness(await open(path, constants.O_RDWR | constants.O_DSYNC));
  }

  /** Records that batch `number` is being written (so `number - 1` was acknowledged). */
  issued(number: number): Promise<void> {
    return this.write(number, ISSUED);
  }

  /** Records that batch `number` and all before it are acknowledged (clean close). */
  acknowledged(number: number): Promise<void> {
    return this.write(number, ACKED);
  }

  async close(): Promise<void> {
    await this.tail.catch(() => {});
    await this.file.close();
  }

  private write(number: number, state: number): Promise<void> {
    const slot = encodeSlot(number, state);
    const done = this.tail
      .catch(() => {})
      .then(() => this.file.write(slot, 0, SLOT_SIZE, witnessSlotOffset(number)))
      .then(() => {});
    this.tail = done;
    return done;
  }
}

async function replaceAtomically(path: string, acked: number): Promise<void> {
  const temp = `${path}.tmp`;
  const bytes = Buffer.alloc(SLOT_OFFSETS[1] + SLOT_SIZE);
  for (const at of SLOT_OFFSETS) encodeSlot(acked, ACKED).copy(bytes, at);
  const file = await open(temp, "w", 0o600);
  try {
    await file.write(bytes, 0, bytes.length, 0);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, path);
  const dir = await open(dirname(path), "r");
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
