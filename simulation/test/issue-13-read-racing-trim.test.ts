import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import type { Swarm } from "../src/swarm.js";
import { RETAINED_AXON, World } from "../src/world.js";

/**
 * Found by the simulation (seed 123, run 448): a retention pass wrote its trim line and the deletes
 * of the chunks below it in one batch. A backend shows a batch to readers before it is durable (the
 * SimDisk at once, LevelDB between its fsync and the callback), while the store moves the line only
 * once the batch is durable. A read in between was still allowed below the new line, found its
 * chunks gone and reported the axon damaged (DATA_LOSS) instead of serving it or answering
 * OUT_OF_RANGE. Shrunk to: `publish a2 1 note(s)`, `sql read a2 notes` (its mirror reads the log),
 * `advance clock 31000ms` (max_age 2 s, a scheduled pass), the read delivered before the sync.
 */
const swarm: Swarm = {
  seed: 0,
  netWindow: 1,
  liveBufferLimit: 8,
  heartbeatMs: 15_000,
  agent: { startDelayMs: 0, restoreBy: "resume" },
  permissionPolicy: "auto_allow",
  idleTimeSeconds: 0,
  retention: { maxAgeMs: 2_000 },
  retentionIntervalMs: 0,
  rates: {
    crashStore: 0,
    crashAgent: 0,
    disconnect: 0,
    suspend: 0,
    resume: 0,
    cancel: 0,
    answerPermission: 0,
    retryUnknown: 0,
    advanceClock: 0,
    update: 0,
    sql: 0,
    retention: 100,
  },
};

it("a read that reaches the server while a trim waits for its fsync is served, not reported as damage", async () => {
  const workdirRoot = join(tmpdir(), "openaxon-simulation");
  mkdirSync(workdirRoot, { recursive: true });
  const world = await World.create(swarm, { workdirRoot });
  world.publishNotes(RETAINED_AXON, 2, {});
  await world.drain();
  await world.afterStep();
  await world.advanceClock(3_000);
  expect(world.retentionPass()).toBe(true);
  await world.settleAndWatch();
  expect(world.trimInFlight).toBe(true);
  world.retention.listEvents(world.idOf(RETAINED_AXON), 0, 4);
  // The read reaches the server and is answered before the disk syncs the trim.
  const request = () => world.actions().findIndex((a) => a.kind === "net");
  await world.tick([request()]);
  await world.tick([request()]);
  await world.drain();
  await world.afterStep();
  expect(world.checker.violations.map((v) => v.message)).toEqual([]);
  expect(world.firstAvailable(RETAINED_AXON)).toBe(3);
  expect(world.trace.lines.some((l) => /list a2 after=0 → seq=1\.\.2/.test(l))).toBe(true);
});
