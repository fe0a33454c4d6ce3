import { type Client, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { AxonService, Origin } from "@openaxon/protocol";
import { benchPayload } from "./payload.js";

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
    }
  | {
      readonly kind: "replay";
      readonly url: string;
      readonly axonId: string;
      readonly expectedEvents: number;
      /** Accept gzip-compressed frames, as connect clients do by default. */
      readonly gzip: boolean;
    };

export interface LoadResult {
  readonly events: number;
  readonly seconds: number;
  /** CPU time of the whole process (server, client, LevelDB threads) during the run. */
  readonly cpuSeconds: number;
  /** Per-call latencies in ms (publishes only). */
  readonly latenciesMs?: number[];
  readonly frames?: number;
}

type AxonClient = Client<typeof AxonService>;

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
      return batchPublish(task);
    case "replay":
      return replay(task);
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
  const start = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(Array.from({ length: task.concurrency }, caller));
  return {
    events: task.events,
    seconds: (performance.now() - start) / 1000,
    cpuSeconds: cpuSince(cpu),
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
  const start = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(Array.from({ length: task.concurrency }, caller));
  return {
    events: task.events,
    seconds: (performance.now() - start) / 1000,
    cpuSeconds: cpuSince(cpu),
    latenciesMs,
  };
}

async function replay(task: Extract<LoadTask, { kind: "replay" }>): Promise<LoadResult> {
  const client = connect(task.url, task.gzip);
  const abort = new AbortController();
  let events = 0;
  let frames = 0;
  let last = 0n;
  const start = performance.now();
  const cpu = process.cpuUsage();
  for await (const frame of client.subscribe(
    { axonId: task.axonId, afterSequence: 0n },
    { signal: abort.signal },
  )) {
    if (frame.kind.case === "events") {
      frames++;
      events += frame.kind.value.events.length;
      last = frame.kind.value.events.at(-1)!.sequence;
    } else if (frame.kind.case === "caughtUp") {
      break;
    }
  }
  const seconds = (performance.now() - start) / 1000;
  const cpuSeconds = cpuSince(cpu);
  abort.abort();
  if (events !== task.expectedEvents || last !== BigInt(task.expectedEvents)) {
    throw new Error(`replay delivered ${events} events up to ${last}, expected ${task.expectedEvents}`);
  }
  return { events, seconds, cpuSeconds, frames };
}

/** process.cpuUsage is process-wide, so this counts the server's thread too. */
function cpuSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}
