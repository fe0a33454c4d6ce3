import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { PublishBatchResponseSchema, SubscribeRequestSchema } from "@openaxon/protocol";
import { startCpu } from "./cpu-meter.js";
import { decodeSubscribeResponse, encodePublishBatch } from "./lean-codec.js";
import { connectLeanGrpc } from "./lean-grpc.js";
import type { LoadResult, LoadTask } from "./load.js";
import { benchPayload, SPOT_CHECK_EVERY, spotCheck } from "./payload.js";

// The same scenarios as load.ts with the lean client: same calls, same payloads, same checks.

const SERVICE = "/openaxon.v1.AxonService";
const EXTERNAL = 1;

export async function leanBatchPublish(task: Extract<LoadTask, { kind: "batch" }>): Promise<LoadResult> {
  const grpc = connectLeanGrpc(task.url);
  const calls = Math.ceil(task.events / task.batchSize);
  const latenciesMs: number[] = [];
  let next = 0;
  const caller = async () => {
    for (let c = next++; c < calls; c = next++) {
      const first = c * task.batchSize;
      const n = Math.min(task.batchSize, task.events - first);
      const request = encodePublishBatch(
        task.axonId,
        Array.from({ length: n }, (_, k) => ({
          origin: EXTERNAL,
          source: "bench",
          eventType: "bench.batch",
          payload: benchPayload(first + k),
        })),
      );
      const t0 = performance.now();
      const response = fromBinary(
        PublishBatchResponseSchema,
        await grpc.unary(`${SERVICE}/PublishBatch`, request),
      );
      latenciesMs.push(performance.now() - t0);
      if (response.lastSequence - response.firstSequence !== BigInt(n - 1)) {
        throw new Error(
          `PublishBatch of ${n} acknowledged ${response.firstSequence}..${response.lastSequence}`,
        );
      }
    }
  };
  const cpu = startCpu();
  const start = performance.now();
  try {
    await Promise.all(Array.from({ length: task.concurrency }, caller));
  } finally {
    grpc.close();
  }
  return { events: task.events, seconds: (performance.now() - start) / 1000, ...cpu.since(), latenciesMs };
}

export async function leanReplay(task: Extract<LoadTask, { kind: "replay" }>): Promise<LoadResult> {
  if (task.gzip) throw new Error("the lean client does not decompress");
  const grpc = connectLeanGrpc(task.url);
  let events = 0;
  let frames = 0;
  let last = 0;
  const cpu = startCpu();
  const start = performance.now();
  try {
    await grpc.serverStream(
      `${SERVICE}/Subscribe`,
      toBinary(SubscribeRequestSchema, create(SubscribeRequestSchema, { axonId: task.axonId })),
      (message) => {
        const frame = decodeSubscribeResponse(message);
        if (frame.kind === "caughtUp") return false;
        if (frame.kind !== "events") return true;
        frames++;
        for (const event of frame.events) {
          if (event.sequence !== last + 1)
            throw new Error(`replay skipped from ${last} to ${event.sequence}`);
          last = event.sequence;
          if (last % SPOT_CHECK_EVERY === 0) spotCheck(last, event.payload);
        }
        events += frame.events.length;
        return true;
      },
    );
  } finally {
    grpc.close();
  }
  const seconds = (performance.now() - start) / 1000;
  const used = cpu.since();
  if (events !== task.expectedEvents || last !== task.expectedEvents) {
    throw new Error(`replay delivered ${events} events up to ${last}, expected ${task.expectedEvents}`);
  }
  return { events, seconds, ...used, frames };
}
