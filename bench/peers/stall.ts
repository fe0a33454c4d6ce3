import http2 from "node:http2";
import { FrameReader } from "../lean-grpc.js";
import { openDriver } from "./driver.js";
import { publishAll } from "./fanout-publisher.js";
import { rssMiB, type SystemProcess } from "./processes.js";
import { encodeSubscribeRequest, readSubscribeResponse } from "./sequence-decoder.js";
import { waitFor } from "./wait-for.js";

// Stalled subscriber: one Subscribe stream goes live, then stops reading (the HTTP/2 stream is
// paused, so its flow-control window fills and axond can no longer write to it) while `events`
// events are published. axond's RSS is sampled all along: a bounded live buffer keeps it flat.
// Then the stream resumes and must report fell_behind and still deliver 1…events with no gap.

export interface StallSettings {
  readonly events: number;
  readonly batchSize: number;
  readonly concurrency: number;
}

export interface StallResult {
  readonly events: number;
  readonly publishSeconds: number;
  readonly baselineRssMiB: number;
  /** Peak while the subscriber was stalled (publishing, plus 2 s after). */
  readonly stalledPeakRssMiB: number;
  /** Peak while it caught up again. */
  readonly resumePeakRssMiB: number;
  readonly resumeSeconds: number;
  readonly delivered: number;
  readonly missing: number;
  readonly duplicates: number;
  readonly lastSequence: number;
  readonly fellBehind: number;
  readonly caughtUpAgain: boolean;
  readonly errors: readonly string[];
}

const SUBSCRIBE = "/openaxon.v1.AxonService/Subscribe";

export async function stalledSubscriber(system: SystemProcess, s: StallSettings): Promise<StallResult> {
  const driver = await openDriver("axond-grpc", system.address);
  const axonId = await driver.createLog(`bench-stall-${Date.now()}`).finally(() => driver.close());

  const session = http2.connect(system.address);
  const errors: string[] = [];
  session.on("error", (e) => errors.push(String(e)));
  const stream = session.request({
    ":method": "POST",
    ":path": SUBSCRIBE,
    "content-type": "application/grpc",
    te: "trailers",
  });
  const request = encodeSubscribeRequest(axonId);
  const head = Buffer.alloc(5);
  head.writeUInt32BE(request.length, 1);
  stream.end(Buffer.concat([head, request]));
  stream.on("error", (e) => errors.push(String(e)));
  stream.on("trailers", (t) => {
    if (t["grpc-status"] !== "0") errors.push(`grpc-status ${t["grpc-status"]}: ${t["grpc-message"] ?? ""}`);
  });

  const frames = new FrameReader();
  let last = 0;
  let delivered = 0;
  let missing = 0;
  let duplicates = 0;
  let fellBehind = 0;
  let caughtUps = 0;
  let target = Number.POSITIVE_INFINITY;
  let onProgress = () => {};
  stream.on("data", (chunk: Buffer) => {
    for (const message of frames.push(chunk)) {
      const frame = readSubscribeResponse(message, (sequence) => {
        if (sequence === last + 1) last = sequence;
        else if (sequence > last) {
          missing += sequence - last - 1;
          last = sequence;
        } else duplicates++;
        delivered++;
      });
      if (frame.kind === "caughtUp") caughtUps++;
      else if (frame.kind === "fellBehind") fellBehind++;
    }
    onProgress();
  });

  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, rssMiB(system.pid) ?? 0);
  };
  const sampler = setInterval(sample, 100);
  try {
    await waitFor(
      () => caughtUps > 0 || errors.length > 0,
      (f) => (onProgress = f),
      30_000,
      200,
    );
    if (caughtUps === 0) throw new Error(`stalled subscriber never went live: ${errors.join("; ")}`);
    stream.pause(); // stop reading: Node stops acknowledging the data, the window closes
    const baselineRssMiB = rssMiB(system.pid) ?? 0;
    peak = baselineRssMiB;
    process.stdout.write(`subscriber stalled; publishing ${s.events.toLocaleString("en-US")} events… `);

    const published = await publishAll(system.address, axonId, s.events, s.batchSize, s.concurrency);
    errors.push(...published.errors);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    sample();
    const stalledPeakRssMiB = peak;
    const stalledAt = last;

    peak = rssMiB(system.pid) ?? 0;
    target = published.lastSequence;
    const resumeStart = performance.now();
    stream.resume();
    await waitFor(
      () => last >= target || errors.length > 0,
      (f) => (onProgress = f),
      300_000,
      200,
    );
    const resumeSeconds = (performance.now() - resumeStart) / 1000;
    // A final caught_up follows the last event once the stream is live again.
    await waitFor(
      () => caughtUps > 1,
      (f) => (onProgress = f),
      5_000,
      200,
    );
    sample();
    console.log(
      `read ${stalledAt.toLocaleString("en-US")} before the stall held, ${delivered.toLocaleString("en-US")} in all`,
    );
    return {
      events: published.lastSequence,
      publishSeconds: published.seconds,
      baselineRssMiB,
      stalledPeakRssMiB,
      resumePeakRssMiB: peak,
      resumeSeconds,
      delivered,
      missing: missing + Math.max(0, target - last),
      duplicates,
      lastSequence: last,
      fellBehind,
      caughtUpAgain: caughtUps > 1,
      errors: errors.slice(0, 5),
    };
  } finally {
    clearInterval(sampler);
    stream.close(http2.constants.NGHTTP2_CANCEL);
    session.close();
  }
}
