import { type Client, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { createConnectTransport as createWebTransport } from "@connectrpc/connect-web";
import { createAxonClient } from "@openaxon/client";
import { AxonService, Origin } from "@openaxon/protocol";
import { startCpu } from "./cpu-meter.js";
import { leanBatchPublish, leanReplay } from "./lean-load.js";
import { benchPayload, SPOT_CHECK_EVERY, spotCheck } from "./payload.js";

/** What one scenario asks the load generator to do. */
export type LoadTask =
  | {
      readonly kind: "unary";
      readonly url: string;
      readonly axonId: string;
      readonly events: number;
      readonly concurrency: number;
    }
  | {
      readonly kind: "batch";
      readonly url: string;
      readonly axonId: string;
      readonly events: number;
      readonly batchSize: number;
      readonly concurrency: number;
      /** "connect": the connect-es client; "lean": hand-rolled gRPC over node:http2 (lean-grpc.ts). */
      readonly client: LoadClient;
    }
  | {
      /** The SDK's `axon.publish()`, one call per event, `concurrency` callers. */
      readonly kind: "sdk";
      readonly url: string;
      readonly axonId: string;
      readonly events: number;
      readonly concurrency: number;
      /** "session": coalesced over an Append session (HTTP/2); "h2": unary over HTTP/2; "fetch": unary over fetch. */
      readonly mode: SdkMode;
    }
  | {
      readonly kind: "replay";
      readonly url: string;
      readonly axonId: string;
      readonly expectedEvents: number;
      /** Accept gzip-compressed frames, as connect clients do by default. */
      readonly gzip: boolean;
      readonly client: LoadClient;
    };

export type LoadClient = "connect" | "lean";
export type SdkMode = "session" | "h2" | "fetch";

export interface LoadResult {
  readonly events: number;
  readonly seconds: number;
  /** CPU time of the whole process (server, client, LevelDB threads) during the run. */
  readonly cpuSeconds: number;
  /** CPU time of the main thread (the server's JS thread) and of the load generator's thread. */
  readonly threads?: { readonly serverSeconds: number; readonly clientSeconds: number };
  /** Per-call latencies in ms (publishes only). */
  readonly latenciesMs?: number[];
  readonly frames?: number;
}

type AxonClient = Client<typeof AxonService>;
const SPOT_CHECK_EVERY_N = BigInt(SPOT_CHECK_EVERY);

/**
 * gRPC over one HTTP/2 connection. Response compression is off unless asked for: on loopback gzip
 * only costs CPU (publish responses are too small to be compressed either way).
 */
function connect(url: string, gzip = false): AxonClient {
  return createClient(
    AxonService,
    createGrpcTransport({ baseUrl: url, ...(gzip ? {} : { acceptCompression: [] }) }),
  );
}

export function runLoad(task: LoadTask): Promise<LoadResult> {
  switch (task.kind) {
    case "unary":
      return unaryPublish(task);
    case "batch":
      return task.client === "lean" ? leanBatchPublish(task) : batchPublish(task);
    case "replay":
      return task.client === "lean" ? leanReplay(task) : replay(task);
    case "sdk":
      return sdkPublish(task);
  }
}

async function unaryPublish(task: Extract<LoadTask, { kind: "unary" }>): Promise<LoadResult> {
  const client = connect(task.url);
  const latenciesMs: number[] = [];
  let next = 0;
  const caller = async () => {
    for (let i = next++; i < task.events; i = next++) {
      const t0 = performance.now();
      await client.publish({
        axonId: task.axonId,
        origin: Origin.EXTERNAL_EVENT,
        source: "bench",
        eventType: "bench.unary",
        payload: benchPayload(i),
      });
      latenciesMs.push(performance.now() - t0);
    }
  };
  const cpu = startCpu();
  const start = performance.now();
  await Promise.all(Array.from({ length: task.concurrency }, caller));
  return {
    events: task.events,
    seconds: (performance.now() - start) / 1000,
    ...cpu.since(),
    latenciesMs,
  };
}

async function sdkPublish(task: Extract<LoadTask, { kind: "sdk" }>): Promise<LoadResult> {
  const client = createAxonClient(
    task.mode === "fetch"
      ? { transport: createWebTransport({ baseUrl: task.url, useBinaryFormat: true }), producer: false }
      : { baseUrl: task.url, producer: task.mode === "session" },
  );
  const axon = client.axon(task.axonId);
  const latenciesMs: number[] = [];
  let next = 0;
  const caller = async () => {
    for (let i = next++; i < task.events; i = next++) {
      const t0 = performance.now();
      await axon.publish({
        origin: "external",
        source: "bench",
        eventType: "bench.sdk",
        payload: benchPayload(i),
      });
      latenciesMs.push(performance.now() - t0);
    }
  };
  const cpu = startCpu();
  const start = performance.now();
  await Promise.all(Array.from({ length: task.concurrency }, caller));
  return {
    events: task.events,
    seconds: (performance.now() - start) / 1000,
    ...cpu.since(),
    latenciesMs,
  };
}

async function batchPublish(task: Extract<LoadTask, { kind: "batch" }>): Promise<LoadResult> {
  const client = connect(task.url);
  const calls = Math.ceil(task.events / task.batchSize);
  const latenciesMs: number[] = [];
  let next = 0;
  const caller = async () => {
    for (let c = next++; c < calls; c = next++) {
      const first = c * task.batchSize;
      const n = Math.min(task.batchSize, task.events - first);
      const events = Array.from({ length: n }, (_, k) => ({
        origin: Origin.EXTERNAL_EVENT,
        source: "bench",
        eventType: "bench.batch",
        payload: benchPayload(first + k),
      }));
      const t0 = performance.now();
      await client.publishBatch({ axonId: task.axonId, events });
      latenciesMs.push(performance.now() - t0);
    }
  };
  const cpu = startCpu();
  const start = performance.now();
  await Promise.all(Array.from({ length: task.concurrency }, caller));
  return {
    events: task.events,
    seconds: (performance.now() - start) / 1000,
    ...cpu.since(),
    latenciesMs,
  };
}

async function replay(task: Extract<LoadTask, { kind: "replay" }>): Promise<LoadResult> {
  const client = connect(task.url, task.gzip);
  const abort = new AbortController();
  let events = 0;
  let frames = 0;
  let last = 0n;
  const cpu = startCpu();
  const start = performance.now();
  for await (const frame of client.subscribe(
    { axonId: task.axonId, afterSequence: 0n },
    { signal: abort.signal },
  )) {
    if (frame.kind.case === "events") {
      frames++;
      for (const event of frame.kind.value.events) {
        if (event.sequence !== last + 1n) throw new Error(`replay skipped from ${last} to ${event.sequence}`);
        last = event.sequence;
        if (last % SPOT_CHECK_EVERY_N === 0n) spotCheck(Number(last), event.payload);
      }
      events += frame.kind.value.events.length;
    } else if (frame.kind.case === "caughtUp") {
      break;
    }
  }
  const seconds = (performance.now() - start) / 1000;
  const used = cpu.since();
  abort.abort();
  if (events !== task.expectedEvents || last !== BigInt(task.expectedEvents)) {
    throw new Error(`replay delivered ${events} events up to ${last}, expected ${task.expectedEvents}`);
  }
  return { events, seconds, ...used, frames };
}
