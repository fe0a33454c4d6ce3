import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { liveness } from "../src/liveness.js";
import type { Swarm } from "../src/swarm.js";
import { MOUNTED_AXON, World } from "../src/world.js";

/**
 * Found by the simulation once UpdateRuntime joined its commands (issue 14; seeds and runs in the
 * README, "What it found"). The runtime wrote `runtime.updated` when the update came and replaced
 * the broker afterwards, so
 * - (a) the old broker took a trigger that arrived in between and ran a new turn on the old agent
 *   after `runtime.updated` (and the new agent, which never saw that turn, was never primed);
 * - (c) a turn already started restarted its crashed agent — the old one — after
 *   `runtime.updated`, whose `session.started` then made the new agent resume the old session;
 * - (b) a crash between persisting the updated record and writing `runtime.updated` lost the
 *   event: the server came back with the new agent and no trace of the change.
 * Now the event is written at the turn boundary, once the old broker has stopped, and it waits in
 * the runtime record (written again, idempotently, on boot) until then. Each test replays the
 * shrunk commands; invariant 18 checks all of it after every step.
 */
const swarm: Swarm = {
  seed: 0,
  netWindow: 1,
  liveBufferLimit: 1,
  heartbeatMs: 15_000,
  agent: { startDelayMs: 0, restoreBy: "resume" },
  permissionPolicy: "auto_allow",
  idleTimeSeconds: 0,
  retention: undefined,
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
    update: 100,
    sql: 0,
    retention: 0,
  },
};

async function newWorld(): Promise<World> {
  const workdirRoot = join(tmpdir(), "openaxon-simulation");
  mkdirSync(workdirRoot, { recursive: true });
  return World.create(swarm, { workdirRoot });
}

const ofType = (world: World, type: string) =>
  world
    .mountedLog()
    .filter((e) => e.eventType === type)
    .map((e): Record<string, unknown> & { seq: number } => ({ ...JSON.parse(e.payload), seq: e.sequence }));

/** Every trigger ended, and the one update was announced once, before the primed turn. */
function expectHandedOff(world: World): void {
  const [updated, ...more] = ofType(world, "runtime.updated");
  expect(more).toEqual([]);
  expect(updated).toMatchObject({ resume_session: false });
  const primed = ofType(world, "session.primed");
  expect(primed.length).toBe(1);
  expect(primed[0]!.seq).toBeGreaterThan(updated!.seq);
  expect(world.checker.unendedTriggers(world.idOf(MOUNTED_AXON))).toEqual([]);
}

it("a trigger that lands while an update is being made runs on the new agent, primed", async () => {
  const world = await newWorld();
  world.publishNotes(MOUNTED_AXON, 1, {});
  await world.afterStep();
  world.updateRuntime("binary");
  await world.afterStep();
  world.publishTrigger(MOUNTED_AXON, { steps: ["chunk"], stopReason: "end_turn" }, {});
  await world.afterStep();
  await world.tick([20]);
  await world.afterStep();
  await liveness(world);
  expectHandedOff(world);
});

it("a turn that restarts its crashed agent while an update waits restarts the old agent before runtime.updated", async () => {
  const world = await newWorld();
  world.publishTrigger(MOUNTED_AXON, { steps: ["crash"], stopReason: "end_turn" }, {});
  await world.afterStep();
  world.publishTrigger(MOUNTED_AXON, { steps: ["chunk"], stopReason: "end_turn" }, {});
  await world.afterStep();
  await world.tick([0, 0]);
  await world.afterStep();
  await world.tick([0, 0, 0, 0, 3]);
  await world.afterStep();
  world.updateRuntime("binary");
  await world.afterStep();
  await world.tick([0]);
  await world.afterStep();
  await liveness(world);
  const [updated, ...more] = ofType(world, "runtime.updated");
  expect(more).toEqual([]);
  // The old agent's restart (for the turn it had started) lies before the update, the new agent's after.
  const sessions = ofType(world, "session.started").map((s) => [s.seq < updated!.seq, s.note]);
  expect(sessions).toEqual([
    [true, "cfg<sh||>"],
    [true, "cfg<sh||>"],
    [false, "cfg<cat||>"],
  ]);
  expect(world.checker.unendedTriggers(world.idOf(MOUNTED_AXON))).toEqual([]);
});

it("a crash right after the update was persisted still announces it, once, before the new agent starts", async () => {
  const world = await newWorld();
  world.updateRuntime("binary");
  await world.afterStep();
  // The updated record reaches the disk; whatever came after it does not.
  world.crashStore(1);
  await world.afterStep();
  await world.tick([0]);
  await world.afterStep();
  await liveness(world);
  const [updated, ...more] = ofType(world, "runtime.updated");
  expect(more).toEqual([]);
  const sessions = ofType(world, "session.started");
  expect(String(sessions.at(-1)!.note)).toContain("cfg<cat||>");
  expect(sessions.at(-1)!.seq).toBeGreaterThan(updated!.seq);
});
