import { constants } from "node:fs";
import { type FileHandle, open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import type { WitnessReading } from "./decide-commit-check.js";
import { replaceFileAtomically } from "./durable-file.js";

/**
 * The commit witness: a small file in the store directory (LevelDB ignores names it did not make)
 * recording the checkpoint, the newest commit LevelDB holds durably, outside LevelDB, so a
 * database that lost it shows (decide-commit-check.ts). The write-ahead journal (journal-file.ts)
 * holds every commit after it.
 *
 * Two slots, a page apart so a torn write damages at most one; writes alternate between them, so
 * the slot a write tears never holds the checkpoint before it.
 * Slot: "OAXW" | u8 state | 3 zero bytes | u64 LE number | u32 LE crc32 of the bytes before it.
 * State 3 is a checkpoint of a journaled store, state 4 its last checkpoint before a clean close
 * (nothing was written after it, so the next open need not scan the journal). States 1 ("n issued": n - 1 acknowledged) and 2
 * ("n acknowledged") were written per commit before the journal existed, and are still read.
 * The file is opened O_DSYNC: one write is durable when it returns.
 */
export const COMMIT_WITNESS_FILE = "OPENAXON-COMMITS";

const SLOT_SIZE = 20;
const SLOT_OFFSETS = [0, 4096] as const;
const MAGIC = Buffer.from("OAXW", "latin1");
const ISSUED = 1;
const ACKED = 2;
const JOURNALED = 3;
const CLOSED = 4;

export const commitWitnessPath = (storePath: string) => join(storePath, COMMIT_WITNESS_FILE);

/** Where the `index`th write after open goes (0-based; tests tear it). */
export const witnessSlotOffset = (index: number): number => SLOT_OFFSETS[index % 2]!;

function encodeSlot(number: number, state: number): Buffer {
  const slot = Buffer.alloc(SLOT_SIZE);
  MAGIC.copy(slot, 0);
  slot.writeUInt8(state, 4);
  slot.writeBigUInt64LE(BigInt(number), 8);
  slot.writeUInt32LE(crc32(slot.subarray(0, 16)), 16);
  return slot;
}

/** The durable count a slot proves, or undefined if the slot is not intact. */
function decodeSlot(slot: Buffer): { acked: number; journaled: boolean; clean?: true } | undefined {
  if (slot.length < SLOT_SIZE || !slot.subarray(0, 4).equals(MAGIC)) return undefined;
  if (slot.readUInt32LE(16) !== crc32(slot.subarray(0, 16))) return undefined;
  const state = slot.readUInt8(4);
  const number = Number(slot.readBigUInt64LE(8));
  if (state === JOURNALED) return { acked: number, journaled: true };
  if (state === CLOSED) return { acked: number, journaled: true, clean: true };
  if (state === ACKED) return { acked: number, journaled: false };
  if (state === ISSUED) return { acked: number - 1, journaled: false };
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
  const slots = SLOT_OFFSETS.map((at) => decodeSlot(bytes.subarray(at, at + SLOT_SIZE))).filter(
    (slot) => slot !== undefined,
  );
  if (slots.length === 0) return { kind: "unreadable", detail: "neither slot is intact" };
  // On a tie the clean-close slot wins: it is the last write of its run.
  const newest = slots.reduce((a, b) => (b.acked > a.acked || (b.acked === a.acked && b.clean) ? b : a));
  // Journaled once is journaled for good: the other slot may be older than the switch.
  const journaled = slots.some((slot) => slot.journaled);
  return {
    kind: "acked",
    acked: newest.acked,
    ...(journaled && { journaled: true }),
    ...(newest.clean && { clean: true }),
  };
}

/** The witness open for writing. Writes are serialized; each is durable when it resolves. */
export class CommitWitness {
  private tail: Promise<unknown> = Promise.resolve();
  private writes = 0;

  private constructor(private readonly file: FileHandle) {}

  /**
   * Opens the witness in `storePath` after the open check passed and LevelDB was checkpointed,
   * first replacing it (atomically: temp file, fsync, rename, fsync the directory) with both slots
   * saying checkpoint `durable`, the count LevelDB now holds durably. Needed, since a crash may
   * have torn one slot: were the next write to tear the other, a sound store would read as
   * unreadable.
   */
  static async open(storePath: string, durable: number): Promise<CommitWitness> {
    const path = commitWitnessPath(storePath);
    await replaceAtomically(path, durable);
    return new CommitWitness(await open(path, constants.O_RDWR | constants.O_DSYNC));
  }

  /** Records that LevelDB holds commits 1..`number` durably: the journal may overwrite them. */
  checkpoint(number: number): Promise<void> {
    return this.write(number, JOURNALED);
  }

  /** A checkpoint of `number` with nothing written after it: the store is closing cleanly. */
  closed(number: number): Promise<void> {
    return this.write(number, CLOSED);
  }

  async close(): Promise<void> {
    await this.tail.catch(() => {});
    await this.file.close();
  }

  private write(number: number, state: number): Promise<void> {
    const slot = encodeSlot(number, state);
    const at = witnessSlotOffset(this.writes++);
    const done = this.tail
      .catch(() => {})
      .then(() => this.file.write(slot, 0, SLOT_SIZE, at))
      .then(() => {});
    this.tail = done;
    return done;
  }
}

function replaceAtomically(path: string, acked: number): Promise<void> {
  const bytes = Buffer.alloc(SLOT_OFFSETS[1] + SLOT_SIZE);
  for (const at of SLOT_OFFSETS) encodeSlot(acked, JOURNALED).copy(bytes, at);
  return replaceFileAtomically(path, async (file) => {
    await file.write(bytes, 0, bytes.length, 0);
  });
}
