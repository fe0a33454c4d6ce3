import { benchPayload } from "../payload.js";
import { threadCpuSeconds } from "../thread-cpu.js";
import { type DriverName, openDriver } from "./driver.js";

// The one load generator every system gets: same payloads, same concurrency, same checks.

export type GeneratorTask = {
  readonly driver: DriverName;
  readonly address: string;
  readonly log: string;
} & (
  | {
      readonly kind: "unary";
      readonly events: number;
      readonly concurrency: number;
      readonly seconds: number;
    }
  | {
      readonly kind: "batch";
      readonly events: number;
      readonly batchSize: number;
      readonly concurrency: number;
      readonly seconds: number;
    }
  | { readonly kind: "replay"; readonly events: number }
  /** Creates `events` logs (axons), 32 at a time. */
  | { readonly kind: "create"; readonly events: number }
);

export interface GeneratorResult {
  readonly events: number;
  readonly seconds: number;
  /** CPU seconds of the generator's own thread: near `seconds` means the generator was the bottleneck. */
  readonly generatorCpuSeconds: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
}

const PAYLOAD_BYTES = 200;

/** A 200-byte JSON object, different for every event. */
export function payload200(i: number): string {
  const base = benchPayload(i);
  const pad = PAYLOAD_BYTES - base.length - ',"pad":""'.length;
  return `${base.slice(0, -1)},"pad":"${"x".repeat(Math.max(0, pad))}"}`;
}

export async function runGenerator(task: GeneratorTask): Promise<GeneratorResult> {
  const driver = await openDriver(task.driver, task.address);
  const cpu0 = threadCpuSeconds() ?? 0;
  const start = performance.now();
  const latencies: number[] = [];
  let events = 0;
  try {
    if (task.kind === "create") {
      const caller = async () => {
        while (events < task.events) {
          const n = ++events;
          await driver.createLog(`${task.log}-${n}`);
        }
      };
      await Promise.all(Array.from({ length: 32 }, caller));
    } else if (task.kind === "replay") {
      await driver.replay(task.log, task.events, (position, payload) => {
        if (position !== events + 1)
          throw new Error(`${task.driver} replay skipped from ${events} to ${position}`);
        events = position;
        // Concurrent batches may commit in either order, so check the payload is intact, not its slot.
        if (position % 4096 === 0 && payload !== payload200((JSON.parse(payload) as { n: number }).n)) {
          throw new Error(`${task.driver} event ${position} came back as ${payload.slice(0, 60)}…`);
        }
      });
      if (events !== task.events) throw new Error(`${task.driver} replayed ${events} of ${task.events}`);
    } else {
      const size = task.kind === "batch" ? task.batchSize : 1;
      const deadline = start + task.seconds * 1000;
      let next = 0;
      const caller = async () => {
        while (next < task.events && performance.now() < deadline) {
          const first = next;
          const n = Math.min(size, task.events - first);
          next += n;
          const t0 = performance.now();
          if (task.kind === "unary") await driver.publish(task.log, payload200(first));
          else
            await driver.publishBatch(
              task.log,
              Array.from({ length: n }, (_, k) => payload200(first + k)),
            );
          latencies.push(performance.now() - t0);
          events += n;
        }
      };
      await Promise.all(Array.from({ length: task.concurrency }, caller));
    }
  } finally {
    await driver.close();
  }
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return {
    events,
    seconds,
    generatorCpuSeconds: (threadCpuSeconds() ?? Number.NaN) - cpu0,
    ...(latencies.length > 0 && { p50Ms: at(0.5), p99Ms: at(0.99) }),
  };
}
