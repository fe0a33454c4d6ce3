import { constants } from "node:fs";
import { mkdtemp, open, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ClassicLevel } from "classic-level";

// How long one durable write takes on this machine's disk, by kind, alternating in one process:
// a LevelDB `sync: true` batch (what a group commit does today) against an O_DSYNC overwrite in a
// file written with zeros beforehand (no size or extent change, so no filesystem journal commit;
// what a write-ahead ring of our own would do). Usage:
//   node --import tsx bench/durable-write-latency.ts [sizes in bytes, default 8000 40000 100000]

const RING_BYTES = 64 * 1024 * 1024;
const WRITES = 300;
const ROUNDS = 2;

type Level = ClassicLevel<string, Uint8Array> & {
  _batch(ops: { type: "put"; key: string; value: Uint8Array }[], options: { sync: boolean }): Promise<void>;
};

const dir = await mkdtemp(path.join(os.tmpdir(), "openaxon-durable-write-"));
try {
  const db = new ClassicLevel<string, Uint8Array>(path.join(dir, "db"), {
    keyEncoding: "utf8",
    valueEncoding: "view",
  }) as Level;
  await db.open();
  const ringPath = path.join(dir, "ring");
  const filler = await open(ringPath, "w", 0o600);
  const zeros = Buffer.alloc(1024 * 1024);
  for (let at = 0; at < RING_BYTES; at += zeros.length) await filler.write(zeros, 0, zeros.length, at);
  await filler.sync();
  await filler.close();
  const ring = await open(ringPath, constants.O_RDWR | constants.O_DSYNC);

  let key = 0;
  let position = 0;
  const sizes = process.argv.slice(2).map(Number);
  console.log("bytes     LevelDB sync batch µs   O_DSYNC overwrite in a pre-written file µs");
  for (const size of sizes.length > 0 ? sizes : [8000, 40000, 100000]) {
    const value = Buffer.alloc(size, 0x61);
    const level = () =>
      db._batch([{ type: "put", key: `c!${String(key++).padStart(12, "0")}`, value }], { sync: true });
    const overwrite = async () => {
      if (position + size > RING_BYTES) position = 0;
      await ring.write(value, 0, size, position);
      position = Math.ceil((position + size) / 4096) * 4096;
    };
    const micros: Record<"level" | "ring", number[]> = { level: [], ring: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, write] of [
        ["level", level],
        ["ring", overwrite],
      ] as const) {
        for (let i = 0; i < 30; i++) await write(); // warm-up
        const started = performance.now();
        for (let i = 0; i < WRITES; i++) await write();
        micros[name].push(Math.round(((performance.now() - started) / WRITES) * 1000));
      }
    }
    console.log(`${String(size).padEnd(9)} ${micros.level.join(", ").padEnd(23)} ${micros.ring.join(", ")}`);
  }
  await ring.close();
  await db.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
