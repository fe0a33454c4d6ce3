// How many axons (one R=3 stream each) a local 3-node cluster takes before something breaks or
// slows, for docs/scale-out.md. Run with
//   node --conditions=source --import tsx packages/store-jetstream/bench/axon-count.ts [axons] [concurrency]
// Starts its own 3-node nats-server cluster on loopback and removes it afterwards. Prints one line
// per step: creation rate, a probe (create one more, append + read one old axon), each node's RSS,
// the store dirs' size and the load average (the machine is shared: read figures with it).

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { AxonNotFoundError, StoreFailedError } from "@openaxon/store";
import { openJetStreamLogStore } from "../src/index.js";
import { type NatsCluster, startNatsCluster } from "../test/support/nats-cluster.js";

const total = Number(process.argv[2] ?? 2000);
const concurrency = Number(process.argv[3] ?? 16);
const step = 250;

const event = (i: number) => ({
  origin: 3 as const,
  source: "bench",
  eventType: "user.message",
  payload: JSON.stringify({ i, pad: "x".repeat(200) }),
});

function rssMiB(cluster: NatsCluster): string {
  return cluster.nodes
    .map((n) => {
      if (!n.process?.pid) return "down";
      const status = readFileSync(`/proc/${n.process.pid}/status`, "utf8");
      const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return (kib / 1024).toFixed(0);
    })
    .join("/");
}

function diskMiB(cluster: NatsCluster): string {
  const out = execFileSync("du", ["-sm", ...cluster.nodes.map((n) => n.storeDir)], { encoding: "utf8" });
  return out
    .trim()
    .split("\n")
    .map((line) => line.split("\t")[0])
    .join("/");
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Outages seen while creating: the cluster answered "temporarily unavailable" or did not answer. */
const outages: number[] = [];
/** Times the store said a just-created axon was not found and a retry then found it. */
let falseNotFound = 0;

/** Retries a call the cluster did not answer for up to 2 minutes, noting how long it was out. */
async function retrying<T>(call: () => Promise<T>): Promise<T> {
  const start = performance.now();
  for (;;) {
    try {
      const result = await call();
      const outMs = performance.now() - start;
      if (outMs > 5000) outages.push(outMs / 1000);
      return result;
    } catch (error) {
      // An axon this script just created cannot really be missing: count NOT_FOUND as a false answer.
      if (error instanceof AxonNotFoundError) falseNotFound++;
      else if (!(error instanceof StoreFailedError)) throw error;
      if (performance.now() - start > 120_000) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

function describeOutages(seconds: number[]): string {
  return `${seconds.length} calls unanswered > 5 s (longest ${Math.max(...seconds).toFixed(1)} s)`;
}

const cluster = await startNatsCluster(3);
// Right after start the meta leader may not know every peer yet ("no suitable peers for placement").
const store = await (async () => {
  for (let attempt = 0; ; attempt++) {
    try {
      return await openJetStreamLogStore({ servers: cluster.urls, replicas: 3, requestTimeoutMs: 30_000 });
    } catch (error) {
      if (attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
})();
const ids: string[] = [];
console.log(
  `nats-server ${execFileSync("nats-server", ["--version"], { encoding: "utf8" }).trim()}, R=3, 3 nodes on loopback, concurrency ${concurrency}`,
);
console.log(
  "axons | create/s in step | probe create ms | probe append ms | probe read ms | RSS MiB n1/n2/n3 | disk MiB | load 1m",
);
try {
  while (ids.length < total) {
    const before = ids.length;
    const target = Math.min(total, before + step);
    const t = performance.now();
    let next = ids.length;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < target) {
          next++;
          const { id } = await retrying(() => store.createAxon({ name: `n${next}`, labels: {} }));
          ids.push(id);
          await retrying(() => store.append(id, [event(0)]));
        }
      }),
    );
    const rate = (target - before) / ((performance.now() - t) / 1000);
    let p = performance.now();
    const probe = await store.createAxon({ name: "probe", labels: {} });
    ids.push(probe.id);
    const createMs = performance.now() - p;
    const appendMs: number[] = [];
    const readMs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const old = ids[Math.floor((ids.length * i) / 5)]!;
      p = performance.now();
      await store.append(old, [event(i)]);
      appendMs.push(performance.now() - p);
      p = performance.now();
      await store.read(old, { afterSequence: 0, limit: 10 });
      readMs.push(performance.now() - p);
    }
    console.log(
      `${ids.length} | ${rate.toFixed(1)} | ${createMs.toFixed(0)} | ${median(appendMs).toFixed(1)} | ` +
        `${median(readMs).toFixed(1)} | ${rssMiB(cluster)} | ${diskMiB(cluster)} | ${loadavg()[0]!.toFixed(1)}` +
        (outages.length > 0 ? ` | ${describeOutages(outages.splice(0))}` : "") +
        (falseNotFound > 0 ? ` | ${falseNotFound} false NOT_FOUND so far` : ""),
    );
  }
  // A node restart with every stream on it: how long until it answers, and until appends work everywhere.
  const t = performance.now();
  await cluster.kill(2);
  await cluster.restart(2);
  const upMs = performance.now() - t;
  const p = performance.now();
  for (let i = 0; i < 5; i++) await store.append(ids[Math.floor((ids.length * i) / 5)]!, [event(99)]);
  console.log(
    `kill -9 + restart of n3 with ${ids.length} streams: JetStream answering after ${(upMs / 1000).toFixed(1)} s; ` +
      `5 appends afterwards ${(performance.now() - p).toFixed(0)} ms; RSS ${rssMiB(cluster)} MiB; load ${loadavg()[0]!.toFixed(1)}`,
  );
} catch (error) {
  console.log(`stopped at ${ids.length} axons: ${String((error as Error)?.message ?? error)}`);
} finally {
  await store.close().catch(() => {});
  await cluster.stop();
}
