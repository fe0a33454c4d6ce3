import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { liveness } from "../src/liveness.js";
import type { Swarm } from "../src/swarm.js";
import { MOUNTED_AXON, World } from "../src/world.js";

/**
 * Found by the simulation (seed 500): the server loses power while a runtime is suspending, after
 * the "suspending" record is durable but before the interrupted turn's `turn.failed`. On restart
 * the runtime settles to suspended with that turn still open, and nothing ever closes it: a client
 * waiting for the turn's end waits until unrelated activity wakes the runtime.
 */
const swarm: Swarm = {
  seed: 0,
  netWindow: 1,
  liveBufferLimit: 1,
  heartbeatMs: 15_000,
  agent: { startDelayMs: 0, restoreBy: "resume" },
  permissionPolicy: "ask",
  idleTimeSeconds: 0,
  retention: undefined,
  retentionIntervalMs: 0,
  rates: {
    crashStore: 100,
    crashAgent: 0,
    disconnect: 0,
    suspend: 100,
    resume: 0,
    cancel: 0,
    answerPermission: 0,
    retryUnknown: 0,
    advanceClock: 0,
    update: 0,
    sql: 0,
    retention: 0,
  },
};

it("a turn left open by a crash in the middle of a suspend still ends once the server is back", async () => {
  const workdirRoot = join(tmpdir(), "openaxon-simulation");
  mkdirSync(workdirRoot, { recursive: true });
  const world = await World.create(swarm, { workdirRoot });
  world.publishTrigger(MOUNTED_AXON, { steps: [], stopReason: "end_turn" }, {});
  await world.tick([0, 0, 0]); // the trigger lands, its turn starts, the agent is prompted
  await world.afterStep();
  world.suspendRuntime();
  await world.afterStep();
  world.crashStore(1); // the "suspending" record reaches the disk, the turn's end does not
  await world.afterStep();
  await liveness(world);
  const ends = world
    .mountedLog()
    .filter((e) => e.eventType === "turn.failed" || e.eventType === "turn.completed")
    .map((e) => JSON.parse(e.payload) as { turn_id: string; error?: string });
  expect(ends).toEqual([{ turn_id: "turn_3", error: "interrupted: broker restarted" }]);
});
