// Quick figures for the README: run with
//   node --conditions=source --import tsx packages/store-jetstream/bench/measure.ts
// Starts its own 3-node (and 1-node) nats-server cluster on loopback and removes it afterwards.

import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { LogStore } from "@openaxon/store";
import { openClassicLevelLogStore } from "@openaxon/store";
import { openJetStreamLogStore } from "../src/index.js";
import { startNatsCluster } from "../test/support/nats-cluster.js";

const event = (i: number) => ({
  origin: 3 as const,
  source: "bench",
  eventType: "user.message",
  payload: JSON.stringify({ i, pad: "x".repeat(200) }),
});

async function measure(label: string, stores: LogStore[]) {
  const [first] = stores;
  // Axon creation (a stream per axon on the JetStream store).
  let t = performance.now();
  const ids: string[] = [];
  for (let i = 0; i < 50; i++) ids.push((await first!.createAxon({ name: `b${i}`, labels: {} })).id);
  const createMs = (performance.now() - t) / 50;
  // One writer, one axon, one event per append, awaited one by one.
  t = performance.now();
  for (let i = 0; i < 300; i++) await first!.append(ids[0]!, [event(i)]);
  const serial = 300 / ((performance.now() - t) / 1000);
  // 32 writers on one axon, spread over the store instances.
  t = performance.now();
  await Promise.all(
    Array.from({ length: 32 }, async (_, w) => {
      for (let i = 0; i < 20; i++) await stores[w % stores.length]!.append(ids[1]!, [event(i)]);
    }),
  );
  const contended = 640 / ((performance.now() - t) / 1000);
  // 32 writers on 32 different axons (what scales out).
  t = performance.now();
  await Promise.all(
    Array.from({ length: 32 }, async (_, w) => {
      for (let i = 0; i < 20; i++) await stores[w % stores.length]!.append(ids[2 + w]!, [event(i)]);
    }),
  );
  const spread = 640 / ((performance.now() - t) / 1000);
  // Batches of 100 events (one message each), one writer.
  t = performance.now();
  for (let i = 0; i < 20; i++)
    await first!.append(
      ids[40]!,
      Array.from({ length: 100 }, (_, j) => event(j)),
    );
  const batched = 2000 / ((performance.now() - t) / 1000);
  // Replay: 2000 events in pages of 512.
  t = performance.now();
  let after = 0;
  for (;;) {
    const page = await first!.read(ids[40]!, { afterSequence: after, limit: 512 });
    if (page.length === 0) break;
    after = page.at(-1)!.sequence;
  }
  const replay = 2000 / ((performance.now() - t) / 1000);
  console.log(
    `${label}: create axon ${createMs.toFixed(1)} ms; 1 writer ${serial.toFixed(0)} appends/s; ` +
      `32 writers on 1 axon ${contended.toFixed(0)} appends/s; 32 writers on 32 axons ${spread.toFixed(0)} appends/s; ` +
      `batches of 100 ${batched.toFixed(0)} events/s; replay ${replay.toFixed(0)} events/s ` +
      `(load average ${loadavg()[0]!.toFixed(1)}: the machine is shared)`,
  );
}

const dir = await mkdtemp(join(tmpdir(), "oa-bench-"));
const classic = await openClassicLevelLogStore({ path: join(dir, "db") });
await measure("classic-level (embedded)", [classic]);
await classic.close();
await rm(dir, { recursive: true, force: true });

for (const size of [1, 3]) {
  const cluster = await startNatsCluster(size);
  try {
    const replicas = size;
    const a = await openJetStreamLogStore({
      servers: cluster.urls,
      replicas,
      connection: { noRandomize: true },
    });
    const b = await openJetStreamLogStore({
      servers: [...cluster.urls].reverse(),
      replicas,
      connection: { noRandomize: true },
    });
    await measure(`jetstream R=${replicas} (${size} node${size > 1 ? "s" : ""}, 2 store instances)`, [a, b]);
    await Promise.all([a.close(), b.close()]);
  } finally {
    await cluster.stop();
  }
}
