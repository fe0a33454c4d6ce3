import { AXON_NAMES, MOUNTED_AXON, RETAINED_AXON, type World } from "./world.js";

/** Virtual time liveness may take once faults stop: 400 rounds of 5 s. */
const ROUNDS = 400;
const ROUND_MS = 5_000;

/**
 * Invariant 8: faults stop — the node is brought back, subscribers reconnect, clients retry their
 * unknown publishes, a user answers open permission requests, a runtime suspended by hand (or
 * failed) is resumed — and time moves on until every subscriber has reached the head and every
 * trigger has ended, or the budget of virtual time runs out. Then a runtime with an idle timeout
 * must suspend once it has passed.
 */
export async function liveness(world: World): Promise<void> {
  world.trace.add("faults stop");
  if (!world.node) world.restartStore();
  await quiescence(world);
  // The retention schedule keeps running: trim once more, read around the line and subscribe from
  // below it; every reader must still reach the head.
  const headBefore = world.headOf(RETAINED_AXON);
  if (world.retentionPass()) {
    await quiescence(world);
    // A retried publish may land after the pass read the log: then the next pass trims it.
    if (world.headOf(RETAINED_AXON) === headBefore) checkRetentionEnforced(world);
    if (probeTrimmed(world)) await quiescence(world);
  }
  // A runtime with an idle timeout that is running with nothing to do suspends once it has passed.
  const idleMs = world.swarm.idleTimeSeconds * 1000;
  if (idleMs > 0 && world.runtimeRecord()?.status === "running") {
    // Give it its idle time plus a margin for brokers still starting (slow agents).
    const budgetMs = idleMs + 20 * ROUND_MS;
    for (let waited = 0; world.runtimeRecord()?.status !== "suspended"; waited += ROUND_MS) {
      if (waited >= budgetMs) {
        const status = world.runtimeRecord()?.status;
        world.checker.fail(
          8,
          `the runtime is still ${status} ${waited / 1000}s after faults stopped with nothing to do (idle timeout ${idleMs / 1000}s)`,
        );
        world.checker.throwIfViolated();
      }
      world.trace.add(`advance clock ${ROUND_MS}ms (waiting for the idle timeout)`);
      await world.advanceClock(ROUND_MS);
      await world.drain();
      await world.settleAndWatch();
      world.checker.throwIfViolated();
    }
    await quiescence(world);
  }
}

/**
 * Liveness of retention: a pass once everything is durable leaves an axon created with max_events
 * (and never updated since) holding at most that many events.
 */
function checkRetentionEnforced(world: World): void {
  const limit = world.swarm.retention?.maxEvents;
  if (!limit || world.retention.updates > 0) return;
  const { first, head } = world.checker.durableLog(world.idOf(RETAINED_AXON));
  if (head - first + 1 > limit) {
    world.checker.fail(
      8,
      `after a retention pass once faults stopped, ${RETAINED_AXON} keeps ${first}..${head} (max_events=${limit})`,
    );
    world.checker.throwIfViolated();
  }
}

/**
 * On every axon trimmed by at least two events: ListEvents from below the line (OUT_OF_RANGE) and
 * from the first available event, and a subscriber from below it (OUT_OF_RANGE, then it resumes).
 */
function probeTrimmed(world: World): boolean {
  let probed = false;
  for (const axon of AXON_NAMES) {
    const line = world.firstAvailable(axon);
    if (line < 3) continue;
    world.trace.add(`probe ${axon} around trim line ${line}`);
    world.retention.listEvents(world.idOf(axon), 1, 4);
    world.retention.listEvents(world.idOf(axon), line - 1, 4);
    world.subscribe(axon, 1);
    probed = true;
  }
  return probed;
}

async function quiescence(world: World): Promise<void> {
  const { checker } = world;
  for (let round = 0; round < ROUNDS; round++) {
    for (const sub of world.subscribers) if (!sub.connected) sub.connect();
    // Clients that got UNAVAILABLE retry with their key once the service answers again.
    if (world.node?.started) {
      for (const record of world.publisher.retryable()) world.publisher.retry(record);
      for (const record of world.sql.retryable()) world.sql.retry(record);
    }
    // A user answers the permission requests still waiting.
    while (world.answerPermission(0, "always")) {}
    // A runtime suspended by hand keeps its queued triggers until someone resumes it, and a failed
    // one (its agents did not come up in time while the disk stalled) until an operator retries
    // it: the user and the stall are faults that stop now.
    const runtime = world.runtimeRecord();
    if (runtime && world.runtimeCommandsInFlight === 0) {
      const unended = checker.unendedTriggers(world.idOf(MOUNTED_AXON)).length > 0;
      const waits = (runtime.status === "suspended" && runtime.wakeAfter) || runtime.status === "failed";
      if (waits && unended) world.runtimeCommand("resume");
    }
    await world.drain();
    await world.settleAndWatch();
    checker.throwIfViolated();
    const waiting = stillWaiting(world);
    if (waiting.length === 0) {
      world.checkState();
      world.trace.add("quiescent");
      return;
    }
    if (round === ROUNDS - 1) {
      checker.fail(8, waiting.join("; "));
      checker.throwIfViolated();
    }
    world.trace.add(`advance clock ${ROUND_MS}ms`);
    await world.advanceClock(ROUND_MS);
  }
}

/** What liveness still waits for (empty once everything has settled). */
function stillWaiting(world: World): string[] {
  const { checker, disk, publisher } = world;
  const out: string[] = [];
  if (!world.node?.started) out.push("the node has not started");
  if (disk.pendingSyncs > 0) out.push(`${disk.pendingSyncs} disk write(s) in flight`);
  if (publisher.outstanding > 0) out.push(`${publisher.outstanding} publish(es) unanswered`);
  if (world.sqlDisk.pendingSyncs > 0) out.push(`${world.sqlDisk.pendingSyncs} SQL commit(s) in flight`);
  if (world.sql.outstanding > 0) out.push(`${world.sql.outstanding} SQL request(s) unanswered`);
  if (world.retention.outstanding > 0)
    out.push(`${world.retention.outstanding} operator request(s) unanswered`);
  const unknownSql = world.sql.retryable().length;
  if (unknownSql > 0) out.push(`${unknownSql} SQL write(s) of unknown outcome not retried yet`);
  for (const sub of world.subscribers) {
    const durable = checker.durable(sub.axonId);
    if (!sub.connected) out.push(`${sub.name} is disconnected`);
    else if (sub.missing(durable) > 0)
      out.push(`${sub.name} is at ${sub.last} of ${checker.durableHead(sub.axonId)}`);
  }
  const unended = checker.unendedTriggers(world.idOf(MOUNTED_AXON));
  if (unended.length > 0) {
    const runtime = world.runtimeRecord();
    const status = runtime
      ? `${runtime.status}${runtime.statusReason ? `: ${runtime.statusReason}` : ""}`
      : "down";
    out.push(`trigger(s) ${unended.join(", ")} never ended (runtime ${status})`);
  }
  return out;
}
