import { Origin } from "@openaxon/store";
import type { BenchSettings } from "./args.js";
import type { LoadClient, LoadResult, SdkMode } from "./load.js";
import { benchPayload } from "./payload.js";
import { runInWorker } from "./run-in-worker.js";
import type { BenchServer } from "./server-harness.js";

export interface Figure {
  readonly name: string;
  readonly settings: string;
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** Process CPU time per event, all threads: comparable across runs even on a busy machine. */
  readonly cpuMicrosPerEvent: number;
  /** The same split by thread: the server's JS thread, the load generator's, and all others. */
  readonly cpuSplit?: { readonly server: number; readonly client: number; readonly other: number };
  readonly latency?: { readonly p50: number; readonly p99: number; readonly unit: string };
  /** Events per second the design asks for, if any. */
  readonly target?: number;
}

const POPULATE_BATCH = 10_000;
/** Rows measured with bench/lean-grpc.ts instead of the connect-es client. */
const LEAN = "lean client (hand-rolled gRPC over node:http2)";

export async function warmUp(server: BenchServer): Promise<void> {
  const axon = await server.store.createAxon({ name: "bench-warmup", labels: {} });
  await runInWorker({ kind: "unary", url: server.url, axonId: axon.id, events: 2_000, concurrency: 32 });
  await runInWorker({
    kind: "batch",
    url: server.url,
    axonId: axon.id,
    events: 20_000,
    batchSize: 100,
    concurrency: 4,
    client: "connect",
  });
}

export async function unaryPublish(server: BenchServer, s: BenchSettings): Promise<Figure> {
  const axon = await server.store.createAxon({ name: "bench-unary", labels: {} });
  const result = await runInWorker({
    kind: "unary",
    url: server.url,
    axonId: axon.id,
    events: s.unaryEvents,
    concurrency: s.unaryConcurrency,
  });
  await expectHead(server, axon.id, s.unaryEvents);
  return figure("Durable unary Publish", `${s.unaryConcurrency} concurrent callers, 1 axon`, result);
}

export async function sdkPublish(server: BenchServer, s: BenchSettings): Promise<Figure[]> {
  const run = async (mode: SdkMode, name: string) => {
    const axon = await server.store.createAxon({ name: `bench-sdk-${mode}`, labels: {} });
    const result = await runInWorker({
      kind: "sdk",
      url: server.url,
      axonId: axon.id,
      events: s.unaryEvents,
      concurrency: s.unaryConcurrency,
      mode,
    });
    await expectHead(server, axon.id, s.unaryEvents);
    return figure(name, `${s.unaryConcurrency} concurrent callers, 1 axon`, result);
  };
  return [
    await run("session", "SDK publish(), coalesced over an Append session (HTTP/2)"),
    await run("h2", "SDK publish(), unary over HTTP/2 (producer: false)"),
    await run("fetch", "SDK publish(), unary over fetch (HTTP/1.1, the former default)"),
  ];
}

export async function batchPublish(server: BenchServer, s: BenchSettings): Promise<Figure[]> {
  const run = async (client: LoadClient) => {
    const axon = await server.store.createAxon({ name: `bench-batch-${client}`, labels: {} });
    const result = await runInWorker({
      kind: "batch",
      url: server.url,
      axonId: axon.id,
      events: s.batchEvents,
      batchSize: s.batchSize,
      concurrency: s.batchConcurrency,
      client,
    });
    await expectHead(server, axon.id, s.batchEvents);
    return result;
  };
  const settings = `${s.batchSize} events per call, ${s.batchConcurrency} concurrent callers, 1 axon`;
  return [
    { ...figure("Durable PublishBatch", settings, await run("connect")), target: 80_000 },
    figure(`Durable PublishBatch, ${LEAN}`, settings, await run("lean")),
  ];
}

export async function catchUpReplay(server: BenchServer, s: BenchSettings): Promise<Figure[]> {
  const axon = await server.store.createAxon({ name: "bench-replay", labels: {} });
  // Populated straight through the store (the same durable append path, minus RPC) to save time.
  const start = performance.now();
  const cpu = process.cpuUsage();
  for (let first = 0; first < s.replayEvents; first += POPULATE_BATCH) {
    const n = Math.min(POPULATE_BATCH, s.replayEvents - first);
    await server.store.append(
      axon.id,
      Array.from({ length: n }, (_, k) => ({
        origin: Origin.External,
        source: "bench",
        eventType: "bench.replay",
        payload: benchPayload(first + k),
      })),
    );
  }
  const populateSeconds = (performance.now() - start) / 1000;
  const populateCpu = process.cpuUsage(cpu);
  const size = `${s.replayEvents.toLocaleString("en-US")}-event axon, 1 subscriber`;
  const replay = async (gzip: boolean, client: LoadClient = "connect") =>
    runInWorker({
      kind: "replay",
      url: server.url,
      axonId: axon.id,
      expectedEvents: s.replayEvents,
      gzip,
      client,
    });
  const plain = await replay(false);
  const gzipped = await replay(true);
  const lean = await replay(false, "lean");
  return [
    {
      ...figure(
        "Catch-up replay (Subscribe from 0 to caught_up)",
        `${size}, ${plain.frames} frames, no compression`,
        plain,
      ),
      target: 300_000,
    },
    figure(
      "Catch-up replay, gzip accepted (connect clients' default)",
      `${size}, ${gzipped.frames} frames`,
      gzipped,
    ),
    figure(`Catch-up replay, ${LEAN}`, `${size}, ${lean.frames} frames, no compression`, lean),
    {
      name: "Populating the replay axon (store.append, no RPC)",
      settings: `${POPULATE_BATCH.toLocaleString("en-US")} events per append, sequential`,
      events: s.replayEvents,
      seconds: populateSeconds,
      eventsPerSecond: s.replayEvents / populateSeconds,
      cpuMicrosPerEvent: (populateCpu.user + populateCpu.system) / s.replayEvents,
    },
  ];
}

function figure(name: string, settings: string, result: LoadResult): Figure {
  const latency = result.latenciesMs && percentiles(result.latenciesMs, "ms per call");
  const perEvent = (seconds: number) => (seconds * 1e6) / result.events;
  const cpuSplit = result.threads && {
    server: perEvent(result.threads.serverSeconds),
    client: perEvent(result.threads.clientSeconds),
    other: perEvent(result.cpuSeconds - result.threads.serverSeconds - result.threads.clientSeconds),
  };
  return {
    name,
    settings,
    events: result.events,
    seconds: result.seconds,
    eventsPerSecond: result.events / result.seconds,
    cpuMicrosPerEvent: perEvent(result.cpuSeconds),
    ...(cpuSplit && { cpuSplit }),
    ...(latency && { latency }),
  };
}

function percentiles(values: number[], unit: string) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99), unit };
}

async function expectHead(server: BenchServer, axonId: string, events: number): Promise<void> {
  const axon = await server.store.getAxon(axonId);
  if (axon?.headSequence !== events) {
    throw new Error(`axon ${axonId} ends at ${axon?.headSequence}, expected ${events}: events were lost`);
  }
}
