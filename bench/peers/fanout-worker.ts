import { parentPort, workerData } from "node:worker_threads";
import { connectLeanGrpc } from "../lean-grpc.js";
import { threadCpuSeconds } from "../thread-cpu.js";
import { connectFrameClient, type FrameClient } from "./h2-frame-client.js";
import { LatencyHistogram } from "./latency-histogram.js";
import { encodeSubscribeRequest, readSubscribeResponse } from "./sequence-decoder.js";
import { waitFor } from "./wait-for.js";

// One fan-out worker thread: `subscribers` live Subscribe streams on one axon, at most
// `streamsPerConnection` per HTTP/2 connection (axond caps concurrent streams per connection).
// Each stream checks that sequences arrive 1, 2, 3… with no gap or duplicate; every event's
// publish→deliver latency goes into one histogram.

export interface FanoutWorkerTask {
  readonly url: string;
  readonly axonId: string;
  readonly subscribers: number;
  readonly streamsPerConnection: number;
  /** node:http2 (lean-grpc.ts), or frames read off a plain socket (h2-frame-client.ts). */
  readonly client: FanoutClient;
}

export type FanoutClient = "node-http2" | "frames";

/** From the main thread before publishing: events sent before `measureFromMs` (wall ms) are warm-up. */
export interface MeasureMessage {
  readonly measureFromMs: number;
}

/** From the main thread: publishing is over, `lastSequence` is the head every stream must reach. */
export interface FinishMessage {
  readonly lastSequence: number;
  /** Give up draining after this long without a delivery. */
  readonly graceMs: number;
}

export interface FanoutWorkerResult {
  readonly subscribers: number;
  readonly delivered: number;
  /** Sequences a stream skipped over (a jump). */
  readonly missing: number;
  /** Sequences up to the last one a stream never reached before the drain gave up. */
  readonly undelivered: number;
  readonly duplicates: number;
  /** Streams that got every sequence 1…lastSequence, in order. */
  readonly complete: number;
  readonly fellBehind: number;
  readonly errors: readonly string[];
  /** publish→deliver of events sent after the warm-up. */
  readonly histogram: { counts: Uint32Array; max: number; total: number };
  /** The worst publish→deliver during the warm-up, ms (0 if there was none). */
  readonly warmupMaxMs: number;
  /** Server timestamp_ms (set when the event was sequenced, before its commit) → delivered, ±1 ms. */
  readonly afterCommit: { counts: Uint32Array; max: number; total: number };
  readonly cpuSeconds: number;
  /** Wall time from live to done (publishing plus draining). */
  readonly wallSeconds: number;
}

class SubscriberState {
  last = 0;
  delivered = 0;
  missing = 0;
  duplicates = 0;
  caughtUp = false;
  fellBehind = 0;
}

const SUBSCRIBE = "/openaxon.v1.AxonService/Subscribe";

async function run(task: FanoutWorkerTask): Promise<void> {
  const connect = task.client === "frames" ? connectFrameClient : connectLeanGrpc;
  const connections: FrameClient[] = [];
  for (let i = 0; i < Math.ceil(task.subscribers / task.streamsPerConnection); i++) {
    connections.push(connect(task.url));
  }
  const histogram = new LatencyHistogram();
  const afterCommit = new LatencyHistogram();
  const states = Array.from({ length: task.subscribers }, () => new SubscriberState());
  const errors: string[] = [];
  let stopping = false;
  let measureFromMs = Number.POSITIVE_INFINITY;
  let warmupMaxMs = 0;
  const finished = new Promise<FinishMessage>((resolve) => {
    parentPort!.on("message", (message: MeasureMessage | FinishMessage) => {
      if ("measureFromMs" in message) measureFromMs = message.measureFromMs;
      else resolve(message);
    });
  });
  let lastSequence = Number.POSITIVE_INFINITY;
  let onProgress = () => {};
  const request = encodeSubscribeRequest(task.axonId);

  const streams = states.map((state, i) => {
    const connection = connections[Math.floor(i / task.streamsPerConnection)]!;
    return connection
      .serverStream(SUBSCRIBE, request, (message) => {
        if (stopping) return false;
        const now = performance.timeOrigin + performance.now();
        const frame = readSubscribeResponse(message, (sequence, sentAt, sequencedAt) => {
          if (sequence === state.last + 1) state.last = sequence;
          else if (sequence > state.last) {
            state.missing += sequence - state.last - 1;
            state.last = sequence;
          } else state.duplicates++;
          state.delivered++;
          if (Number.isNaN(sentAt)) return;
          if (sentAt < measureFromMs) {
            warmupMaxMs = Math.max(warmupMaxMs, now - sentAt);
            return;
          }
          histogram.record(now - sentAt);
          if (!Number.isNaN(sequencedAt)) afterCommit.record(now - sequencedAt);
        });
        if (frame.kind === "caughtUp" && !state.caughtUp) {
          state.caughtUp = true;
          onProgress();
        } else if (frame.kind === "fellBehind") state.fellBehind++;
        else if (frame.kind === "events" && state.last >= lastSequence) onProgress();
        return true;
      })
      .catch((error: unknown) => {
        if (!stopping) errors.push(String(error));
      });
  });

  // Ready once every stream has replayed the (empty) axon and is live.
  await waitFor(
    () => states.every((s) => s.caughtUp) || errors.length > 0,
    (f) => (onProgress = f),
    60_000,
  );
  const cpu0 = threadCpuSeconds() ?? 0;
  const wall0 = performance.now();
  parentPort!.postMessage({ ready: true, errors });

  const finish = await finished;
  lastSequence = finish.lastSequence;
  // Drain: until every stream has the last sequence, or nothing arrived for graceMs (stuck).
  let seen = -1;
  let lastMove = performance.now();
  await waitFor(
    () => {
      const total = states.reduce((n, s) => n + s.delivered, 0);
      if (total !== seen) {
        seen = total;
        lastMove = performance.now();
      }
      return states.every((s) => s.last >= lastSequence) || performance.now() - lastMove > finish.graceMs;
    },
    (f) => (onProgress = f),
    600_000,
  );
  const cpuSeconds = (threadCpuSeconds() ?? Number.NaN) - cpu0;
  const wallSeconds = (performance.now() - wall0) / 1000;
  stopping = true;
  for (const connection of connections) connection.close();
  void streams;

  const sum = (f: (s: SubscriberState) => number) => states.reduce((n, s) => n + f(s), 0);
  const result: FanoutWorkerResult = {
    subscribers: task.subscribers,
    delivered: sum((s) => s.delivered),
    missing: sum((s) => s.missing),
    undelivered: sum((s) => Math.max(0, lastSequence - s.last)),
    duplicates: sum((s) => s.duplicates),
    complete: states.filter(
      (s) => s.last === lastSequence && s.missing === 0 && s.duplicates === 0 && s.delivered === lastSequence,
    ).length,
    fellBehind: sum((s) => s.fellBehind),
    errors: errors.slice(0, 5),
    histogram: { counts: histogram.counts, max: histogram.max, total: histogram.total },
    warmupMaxMs,
    afterCommit: { counts: afterCommit.counts, max: afterCommit.max, total: afterCommit.total },
    cpuSeconds,
    wallSeconds,
  };
  parentPort!.removeAllListeners("message");
  parentPort!.postMessage(result, [
    histogram.counts.buffer as ArrayBuffer,
    afterCommit.counts.buffer as ArrayBuffer,
  ]);
}

await run(workerData as FanoutWorkerTask);
