import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import type { Swarm } from "../src/swarm.js";
import { MOUNTED_AXON, World } from "../src/world.js";

/**
 * Found by the simulation (seed 4): a broker that starts with triggers already waiting (a wake, a
 * restart) marked itself idle at once — its pump had taken the first trigger off the queue but not
 * yet begun the turn — and kept that stale mark through the turn. So the runtime's idle timer could
 * fire in the middle of the turn the wake was for (the runtime re-arms it from the mark once it is
 * running), and once the turn ended the broker never reported idle again, so the runtime stayed up.
 */
const swarm: Swarm = {
  seed: 0,
  netWindow: 1,
  liveBufferLimit: 8,
  heartbeatMs: 15_000,
  agent: { startDelayMs: 0, restoreBy: "resume" },
  permissionPolicy: "auto_allow",
  idleTimeSeconds: 20,
  retention: undefined,
  retentionIntervalMs: 0,
  rates: {
    crashStore: 0,
    crashAgent: 0,
    disconnect: 0,
    suspend: 100,
    resume: 0,
    cancel: 0,
    answerPermission: 0,
    retryUnknown: 0,
    advanceClock: 100,
    update: 0,
    sql: 0,
    retention: 0,
  },
};

async function wokenByATrigger() {
  const workdirRoot = join(tmpdir(), "openaxon-simulation");
  mkdirSync(workdirRoot, { recursive: true });
  const world = await World.create(swarm, { workdirRoot });
  world.suspendRuntime();
  await world.drain();
  await world.afterStep();
  world.publishTrigger(MOUNTED_AXON, { steps: ["chunk"], stopReason: "end_turn" }, {});
  return world;
}

/** Runs what is waiting, except agent steps and `skip`, oldest first. */
async function runAllBut(world: World, skip: (label: string) => boolean = () => false) {
  for (let i = 0; i < 200; i++) {
    const next = world.actions().findIndex((a) => a.kind !== "agent" && !skip(a.label));
    if (next < 0) return;
    await world.tick([next]);
  }
}

const turnEnds = (world: World) =>
  world
    .mountedLog()
    .filter((e) => e.eventType === "turn.failed" || e.eventType === "turn.completed")
    .map((e) => JSON.parse(e.payload) as { stop_reason?: string; error?: string });

it("the idle timer does not suspend the runtime in the middle of the turn that woke it", async () => {
  const world = await wokenByATrigger();
  // The runtime is back to running, the turn's turn.started write is still on its way.
  await runAllBut(world, (label) => label.includes("turn.started"));
  await world.afterStep();
  await world.advanceClock(30_000);
  await runAllBut(world);
  await world.drain();
  await world.afterStep();
  expect(turnEnds(world)).toEqual([{ turn_id: expect.any(String), stop_reason: "end_turn" }]);
});

it("after the turn that woke it, an idle runtime suspends again once its idle time has passed", async () => {
  const world = await wokenByATrigger();
  await world.drain();
  await world.afterStep();
  expect(turnEnds(world)).toEqual([{ turn_id: expect.any(String), stop_reason: "end_turn" }]);
  await world.advanceClock(30_000);
  await world.drain();
  await world.afterStep();
  expect(world.runtimeRecord()?.status).toBe("suspended");
});
