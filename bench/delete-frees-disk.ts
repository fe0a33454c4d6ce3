// Measures what deleting an axon gives back: fills an axon with N events (default 1,000,000) in
// batches of 1000 with ~100-byte incompressible payloads, then `du` of the data dir before the
// delete, right after it, and after the purge and its compaction (one retention pass).
// Run: npx tsx --conditions=source bench/delete-frees-disk.ts [events]
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openClassicLevelLogStore } from "@openaxon/store";

const total = Number(process.argv[2] ?? 1_000_000);
const du = (dir: string) => Number(execFileSync("du", ["-sk", dir]).toString().split("\t")[0]) * 1024;
const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;

const dir = await mkdtemp(join(tmpdir(), "openaxon-delete-bench-"));
const store = await openClassicLevelLogStore({ path: join(dir, "db") });
const keep = await store.createAxon({ name: "kept", labels: {} });
await store.append(keep.id, [{ origin: 3, source: "bench", eventType: "user.message", payload: "{}" }]);
const axon = await store.createAxon({ name: "big", labels: {} });
for (let done = 0; done < total; done += 1000) {
  const events = Array.from({ length: Math.min(1000, total - done) }, () => ({
    origin: 3 as const,
    source: "bench",
    eventType: "user.message",
    payload: JSON.stringify({ content: randomBytes(48).toString("hex") }),
  }));
  await store.append(axon.id, events);
}
const before = du(dir);
await store.deleteAxon(axon.id);
const justDeleted = du(dir);
const started = performance.now();
await store.applyRetention();
const purgeMs = performance.now() - started;
const after = du(dir);
console.log(
  JSON.stringify({
    events: total,
    before: mib(before),
    afterDeleteCall: mib(justDeleted),
    afterPurgeAndCompaction: mib(after),
    freed: mib(before - after),
    purgeSeconds: (purgeMs / 1000).toFixed(1),
  }),
);
await store.close();
await rm(dir, { recursive: true, force: true });
