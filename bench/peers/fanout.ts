import { Worker } from "node:worker_threads";
import { openDriver } from "./driver.js";
import { publishAtRate, wallMs } from "./fanout-publisher.js";
import type {
  FanoutClient,
  FanoutWorkerResult,
  FanoutWorkerTask,
  FinishMessage,
  MeasureMessage,
} from "./fanout-worker.js";
import { LatencyHistogram } from "./latency-histogram.js";
import { processCpuSeconds, rssMiB, type SystemProcess } from "./processes.js";

// Live fan-out: `subscribers` Subscribe streams on one axon (spread over worker threads and
// HTTP/2 connections), then one publisher at `rate` ev/s for `seconds`. Every stream must see every
// sequence once, in order; publish→deliver latency over all deliveries; axond's peak RSS.

export interface FanoutSettings {
  readonly subscribers: number;
  readonly seconds: number;
  /**
   * Publishing at the same rate before `seconds` starts, not counted in the latency figures: a fresh
   * process's first second of fan-out runs unoptimized code and grows its young heap.
   */
  readonly warmupSeconds: number;
  readonly rate: number;
  readonly workers: number;
  /** Below axond's SETTINGS_MAX_CONCURRENT_STREAMS (256). */
  readonly streamsPerConnection: number;
  readonly client: FanoutClient;
}

export interface FanoutResult {
  readonly client: FanoutClient;
  readonly subscribers: number;
  readonly connections: number;
  readonly events: number;
  readonly publishSeconds: number;
  readonly deliveries: number;
  readonly expectedDeliveries: number;
  readonly missing: number;
  readonly undelivered: number;
  /** Seconds from the end of publishing until every stream had everything (or the drain gave up). */
  readonly drainSeconds: number;
  readonly duplicates: number;
  readonly completeSubscribers: number;
  readonly fellBehind: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
  readonly maxMs?: number;
  readonly warmupSeconds: number;
  /** The worst publish→deliver during the warm-up. */
  readonly warmupMaxMs: number;
  /** Server timestamp_ms (set when sequenced, before the commit) → delivered, ms: commit and fan-out. */
  readonly commitToDeliverP50Ms?: number;
  readonly commitToDeliverP99Ms?: number;
  /** PublishBatch ack latency: the durable-append share of publish→deliver. */
  readonly ackP50Ms?: number;
  readonly ackP99Ms?: number;
  readonly peakRssMiB: number;
  readonly serverCpuMicrosPerDelivery: number;
  /** Subscriber threads' CPU over wall time, averaged: near 100% means the bench, not axond, limited. */
  readonly subscriberBusy: number;
  readonly errors: readonly string[];
}

export async function fanout(system: SystemProcess, s: FanoutSettings): Promise<FanoutResult> {
  const driver = await openDriver("axond-grpc", system.address);
  const axonId = await driver.createLog(`bench-fanout-${Date.now()}`).finally(() => driver.close());

  let peakRss = rssMiB(system.pid) ?? 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssMiB(system.pid) ?? 0);
  }, 100);
  const perWorker = Math.ceil(s.subscribers / s.workers);
  const workers = Array.from({ length: s.workers }, (_, i) => {
    const task: FanoutWorkerTask = {
      url: system.address,
      axonId,
      subscribers: Math.min(perWorker, s.subscribers - i * perWorker),
      streamsPerConnection: s.streamsPerConnection,
      client: s.client,
    };
    return new Worker(new URL("./fanout-worker.mjs", import.meta.url), {
      workerData: task,
      execArgv: process.execArgv,
    });
  });
  try {
    const ready = await Promise.all(workers.map((w) => nextMessage<{ errors: string[] }>(w)));
    const setupErrors = ready.flatMap((r) => r.errors);
    if (setupErrors.length > 0) throw new Error(`fan-out subscribers failed: ${setupErrors.join("; ")}`);
    process.stdout.write(
      `${s.subscribers} subscribers live; publishing ${s.rate} ev/s for ${s.warmupSeconds} s of warm-up + ${s.seconds} s… `,
    );

    const cpu0 = processCpuSeconds(system.pid);
    const measure: MeasureMessage = { measureFromMs: wallMs() + s.warmupSeconds * 1000 };
    for (const w of workers) w.postMessage(measure);
    const published = await publishAtRate(system.address, axonId, s.rate, s.warmupSeconds + s.seconds);
    const finish: FinishMessage = { lastSequence: published.lastSequence, graceMs: 10_000 };
    const drain0 = performance.now();
    const results = await Promise.all(
      workers.map((w) => {
        const result = nextMessage<FanoutWorkerResult>(w);
        w.postMessage(finish);
        return result;
      }),
    );
    const serverCpu = processCpuSeconds(system.pid) - cpu0;
    const drainSeconds = (performance.now() - drain0) / 1000;

    const histogram = new LatencyHistogram();
    const afterCommit = new LatencyHistogram();
    for (const r of results) {
      histogram.add(r.histogram);
      afterCommit.add(r.afterCommit);
    }
    const sum = (f: (r: FanoutWorkerResult) => number) => results.reduce((n, r) => n + f(r), 0);
    const deliveries = sum((r) => r.delivered);
    const wall = published.seconds;
    const result: FanoutResult = {
      client: s.client,
      subscribers: s.subscribers,
      connections: sum((r) => Math.ceil(r.subscribers / s.streamsPerConnection)),
      events: published.lastSequence,
      publishSeconds: wall,
      deliveries,
      expectedDeliveries: published.lastSequence * s.subscribers,
      missing: sum((r) => r.missing),
      undelivered: sum((r) => r.undelivered),
      drainSeconds,
      duplicates: sum((r) => r.duplicates),
      completeSubscribers: sum((r) => r.complete),
      fellBehind: sum((r) => r.fellBehind),
      p50Ms: histogram.quantile(0.5),
      p99Ms: histogram.quantile(0.99),
      maxMs: histogram.total > 0 ? histogram.max : undefined,
      warmupSeconds: s.warmupSeconds,
      warmupMaxMs: Math.max(0, ...results.map((r) => r.warmupMaxMs)),
      commitToDeliverP50Ms: afterCommit.quantile(0.5),
      commitToDeliverP99Ms: afterCommit.quantile(0.99),
      ackP50Ms: published.ackP50Ms,
      ackP99Ms: published.ackP99Ms,
      peakRssMiB: Math.max(peakRss, rssMiB(system.pid) ?? 0),
      serverCpuMicrosPerDelivery: (serverCpu * 1e6) / Math.max(1, deliveries),
      subscriberBusy: sum((r) => r.cpuSeconds / r.wallSeconds) / results.length,
      errors: [...published.errors, ...results.flatMap((r) => r.errors)].slice(0, 5),
    };
    console.log(`${result.events} events, ${deliveries.toLocaleString("en-US")} deliveries`);
    return result;
  } finally {
    clearInterval(sampler);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function nextMessage<T>(worker: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    const onExit = (code: number) => reject(new Error(`fan-out worker exited with code ${code}`));
    worker.once("error", onError);
    worker.once("exit", onExit);
    worker.once("message", (message: T) => {
      worker.off("error", onError);
      worker.off("exit", onExit);
      resolve(message);
    });
  });
}
