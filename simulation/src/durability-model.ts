import { seededRng } from "@openaxon/core";
import { type EventInput, KvLogStore, type LogStore } from "@openaxon/store";
import fc from "fast-check";
import { settle } from "./settle.js";
import { SimClock } from "./sim-clock.js";
import { SimDisk } from "./sim-disk.js";

/**
 * The durability model the simulation's SimDisk implements, stated as checks on what a store holds
 * after a crash, so the same checks can run against the real classic-level store:
 *
 * 1. sequences are 1..head, gap-free;
 * 2. every acknowledged append is there, at the sequences its ack named, byte-identical;
 * 3. every append is atomic and appears at most once (its events all there, or none of them);
 * 4. appends survive in the order they were issued (what survived of those in flight is a prefix);
 * 5. after recovery a retry with the same idempotency key finds the original iff it survived, and a
 *    new append continues at head + 1 (no sequence is reused).
 *
 * If the real store ever produced an outcome these checks reject, SimDisk's model of a power cut
 * would be too kind, and the simulation's verdicts about crashes worthless.
 */

/** One append of a crash scenario. */
export interface AppendPlan {
  readonly events: number;
  readonly key: boolean;
}

/** One life of the store: appends issued back to back, then a crash once `killAfterAcks` came back. */
export interface LifePlan {
  readonly appends: readonly AppendPlan[];
  readonly killAfterAcks: number;
  /** SimDisk only: how many of the writes in flight at the crash reach the disk. */
  readonly survivors: number;
}

export const lifePlanArb: fc.Arbitrary<LifePlan> = fc
  .array(fc.record({ events: fc.integer({ min: 1, max: 3 }), key: fc.boolean() }), {
    minLength: 1,
    maxLength: 40,
  })
  .chain((appends) =>
    fc.record({
      appends: fc.constant(appends),
      killAfterAcks: fc.nat(appends.length),
      survivors: fc.nat(3),
    }),
  );

export interface SentAppend {
  readonly pid: string;
  readonly events: number;
  readonly key: string | undefined;
  state: "sent" | "acked" | "unknown";
  first?: number;
}

/** The events of an append, each naming its append and position. */
export function appendEvents(pid: string, events: number): EventInput[] {
  return Array.from({ length: events }, (_, i) => ({
    origin: 1 as const,
    source: "durability",
    eventType: "note",
    payload: JSON.stringify({ pid, i }),
  }));
}

/** Checks 1–4 on a recovered log; returns what is wrong (empty when the model holds). */
export function durabilityProblems(
  log: ReadonlyArray<{ sequence: number; payload: string }>,
  sent: readonly SentAppend[],
): string[] {
  const problems: string[] = [];
  log.forEach((e, i) => {
    if (e.sequence !== i + 1) problems.push(`position ${i + 1} holds seq ${e.sequence}`);
  });
  const where = new Map<string, number[]>();
  for (const e of log) {
    const { pid, i } = JSON.parse(e.payload) as { pid: string; i: number };
    const list = where.get(pid) ?? [];
    list[i] = (list[i] ?? 0) === 0 ? e.sequence : -1;
    where.set(pid, list);
  }
  let lastSurvivorFirst = 0;
  for (const append of sent) {
    const seqs = where.get(append.pid);
    const present = seqs?.filter((s) => s !== undefined).length ?? 0;
    if (seqs?.includes(-1)) problems.push(`${append.pid} appears more than once`);
    if (present !== 0 && present !== append.events) {
      problems.push(`${append.pid} is torn: ${present} of ${append.events} events survived`);
    }
    if (append.state === "acked") {
      if (present === 0) problems.push(`${append.pid} was acknowledged at seq ${append.first} and is gone`);
      else if (seqs?.[0] !== append.first)
        problems.push(`${append.pid} was acknowledged at seq ${append.first}, found at ${seqs?.[0]}`);
    }
    if (present > 0 && seqs?.[0] !== undefined) {
      const first = seqs[0];
      if (first < lastSurvivorFirst)
        problems.push(`${append.pid} survived out of issue order (seq ${first})`);
      lastSurvivorFirst = Math.max(lastSurvivorFirst, first);
    }
  }
  return problems;
}

/** Check 5: retries of unknown keyed appends find the original iff it survived; the next append is at head + 1. */
export async function recoveryProblems(
  store: LogStore,
  axonId: string,
  sent: SentAppend[],
): Promise<string[]> {
  const problems: string[] = [];
  const log = await store.read(axonId, { afterSequence: 0, limit: 1_000_000 });
  const firstOf = new Map<string, number>();
  for (const e of log) {
    const { pid, i } = JSON.parse(e.payload) as { pid: string; i: number };
    if (i === 0) firstOf.set(pid, e.sequence);
  }
  for (const append of sent) {
    if (append.state !== "unknown" || !append.key) continue;
    const result = await store.append(axonId, appendEvents(append.pid, append.events), {
      idempotencyKey: append.key,
    });
    const original = firstOf.get(append.pid);
    if (original !== undefined && (!result.duplicate || result.firstSequence !== original)) {
      problems.push(
        `retry of ${append.pid} (which survived at ${original}) appended again at ${result.firstSequence}`,
      );
    }
    if (original === undefined && result.duplicate)
      problems.push(`retry of lost ${append.pid} claims a duplicate`);
    append.state = "acked";
    append.first = result.firstSequence;
  }
  const head = (await store.getAxon(axonId))?.headSequence ?? 0;
  const next = await store.append(axonId, appendEvents("probe", 1));
  if (next.firstSequence !== head + 1)
    problems.push(`after recovery the next append got ${next.firstSequence}, head was ${head}`);
  return problems;
}

/**
 * Runs lives of a scenario on SimDisk: appends issued back to back, syncs completed one by one until
 * `killAfterAcks` acknowledgements, then a power cut keeping `survivors` in-flight writes; each
 * recovery is checked.
 */
export async function runOnSimDisk(lives: readonly LifePlan[]): Promise<string[]> {
  const disk = new SimDisk();
  const clock = new SimClock();
  let store = new KvLogStore({ backend: disk.open(), clock, rng: seededRng(1) });
  const created = store.createAxon({ name: "durability", labels: {} });
  while (disk.syncNext()) await settle();
  const axonId = (await created).id;
  const sent: SentAppend[] = [];
  for (const [life, plan] of lives.entries()) {
    let acks = 0;
    for (const [n, a] of plan.appends.entries()) {
      const append: SentAppend = {
        pid: `L${life}-p${n}`,
        events: a.events,
        key: a.key ? `k-L${life}-p${n}` : undefined,
        state: "sent",
      };
      sent.push(append);
      store
        .append(axonId, appendEvents(append.pid, a.events), append.key ? { idempotencyKey: append.key } : {})
        .then(
          (r) => {
            append.state = "acked";
            append.first = r.firstSequence;
            acks++;
          },
          () => {},
        );
    }
    await settle();
    while (acks < plan.killAfterAcks && disk.syncNext()) await settle();
    disk.crash(plan.survivors);
    for (const a of sent) if (a.state === "sent") a.state = "unknown";
    store = new KvLogStore({ backend: disk.open(), clock, rng: seededRng(life + 2) });
    const log = await store.read(axonId, { afterSequence: 0, limit: 1_000_000 });
    const problems = durabilityProblems(log, sent);
    problems.push(...(await withSyncs(disk, recoveryProblems(store, axonId, sent))));
    if (problems.length > 0) return problems.map((p) => `life ${life}: ${p}`);
  }
  return [];
}

/** Waits for `promise` while completing disk writes as they come. */
async function withSyncs<T>(disk: SimDisk, promise: Promise<T>): Promise<T> {
  let done: { value: T } | { error: unknown } | undefined;
  promise.then(
    (value) => {
      done = { value };
    },
    (error: unknown) => {
      done = { error };
    },
  );
  for (let i = 0; i < 100_000 && !done; i++) {
    disk.syncNext();
    await settle();
  }
  if (!done) throw new Error("recovery never finished");
  if ("error" in done) throw done.error;
  return done.value;
}
