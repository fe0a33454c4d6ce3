import { encodePublishBatch, type LeanEventInput } from "../lean-codec.js";
import { connectLeanGrpc } from "../lean-grpc.js";
import { SENT_AT_PREFIX } from "./sequence-decoder.js";

// Publishes to one axon at a steady rate with PublishBatch (a unary Publish per event cannot keep
// 1k ev/s against fsync'd acks on a loaded machine): every tick sends the events due by then, each
// stamped with its send time (wall-clock ms) as the first payload field so subscribers on other
// threads can compute publish→deliver latency.

const PUBLISH_BATCH = "/openaxon.v1.AxonService/PublishBatch";
const PAYLOAD_BYTES = 200;
const TICK_MS = 10;

export interface PaceResult {
  readonly events: number;
  /** Publishing time, not counting the wait for the last acks. */
  readonly seconds: number;
  /** Highest sequence acked: the head every subscriber must reach. */
  readonly lastSequence: number;
  readonly errors: readonly string[];
  /** PublishBatch call → ack, ms: how much of publish→deliver is the durable append. */
  readonly ackP50Ms?: number;
  readonly ackP99Ms?: number;
}

function ackQuantiles(latencies: number[]): { ackP50Ms?: number; ackP99Ms?: number } {
  if (latencies.length === 0) return {};
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { ackP50Ms: at(0.5), ackP99Ms: at(0.99) };
}

/** Wall-clock ms with sub-ms precision, comparable across worker threads. */
export const wallMs = () => performance.timeOrigin + performance.now();

export function stampedPayload(n: number, sentAt: number): string {
  const base = `${SENT_AT_PREFIX}${sentAt.toFixed(3)},"n":${n}`;
  const pad = PAYLOAD_BYTES - base.length - ',"pad":""}'.length;
  return `${base},"pad":"${"x".repeat(Math.max(0, pad))}"}`;
}

const event = (payload: string): LeanEventInput => ({
  origin: 1, // ORIGIN_EXTERNAL_EVENT
  source: "bench",
  eventType: "bench.fanout",
  payload,
});

/** PublishBatchResponse { first_sequence = 1; last_sequence = 2; … }: the last sequence. */
function lastSequenceOf(response: Buffer): number {
  let pos = 0;
  const varint = () => {
    let result = 0;
    let scale = 1;
    for (;;) {
      const byte = response[pos++]!;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 0x80;
    }
  };
  while (pos < response.length) {
    const tag = varint();
    const value = (tag & 7) === 0 ? varint() : Number.NaN;
    if (tag >>> 3 === 2) return value;
    if ((tag & 7) === 2) pos += value;
  }
  return 0;
}

/** Publishes `rate` events per second for `seconds`, stamping each with its send time. */
export async function publishAtRate(
  url: string,
  axonId: string,
  rate: number,
  seconds: number,
): Promise<PaceResult> {
  const client = connectLeanGrpc(url);
  const inFlight = new Set<Promise<void>>();
  const errors: string[] = [];
  const acks: number[] = [];
  let paced = 0;
  let sent = 0;
  let lastSequence = 0;
  const start = performance.now();
  try {
    for (;;) {
      const elapsed = performance.now() - start;
      if (elapsed >= seconds * 1000) break;
      const due = Math.floor((elapsed / 1000) * rate);
      if (due > sent) {
        const now = wallMs();
        const payloads = Array.from({ length: due - sent }, (_, k) => event(stampedPayload(sent + k, now)));
        sent = due;
        const t0 = performance.now();
        const call = client
          .unary(PUBLISH_BATCH, encodePublishBatch(axonId, payloads))
          .then((response) => {
            acks.push(performance.now() - t0);
            lastSequence = Math.max(lastSequence, lastSequenceOf(response));
          })
          .catch((error: unknown) => void errors.push(String(error)))
          .finally(() => inFlight.delete(call));
        inFlight.add(call);
      }
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    }
    paced = (performance.now() - start) / 1000;
    await Promise.all(inFlight);
  } finally {
    client.close();
  }
  return {
    events: sent,
    seconds: paced,
    lastSequence,
    errors: errors.slice(0, 5),
    ...ackQuantiles(acks),
  };
}

/** Publishes `events` events as fast as the server takes them: batches of `batchSize`, `concurrency` callers. */
export async function publishAll(
  url: string,
  axonId: string,
  events: number,
  batchSize: number,
  concurrency: number,
): Promise<PaceResult> {
  const client = connectLeanGrpc(url);
  const errors: string[] = [];
  let next = 0;
  let lastSequence = 0;
  const start = performance.now();
  const caller = async () => {
    while (next < events && errors.length === 0) {
      const first = next;
      const n = Math.min(batchSize, events - first);
      next += n;
      const now = wallMs();
      const payloads = Array.from({ length: n }, (_, k) => event(stampedPayload(first + k, now)));
      try {
        lastSequence = Math.max(
          lastSequence,
          lastSequenceOf(await client.unary(PUBLISH_BATCH, encodePublishBatch(axonId, payloads))),
        );
      } catch (error) {
        errors.push(String(error));
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, caller));
  } finally {
    client.close();
  }
  return { events: next, seconds: (performance.now() - start) / 1000, lastSequence, errors };
}
