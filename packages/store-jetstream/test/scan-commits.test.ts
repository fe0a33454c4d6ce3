import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { systemClock } from "@openaxon/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScanStalledError, scanCommits } from "../src/scan-commits.js";
import { type NatsCluster, startNatsCluster } from "./support/nats-cluster.js";

// A scan's ordered consumer is R1: if its node stops answering mid-scan, nats.js retries for ever
// ("consumer is offline"). The scan must fail in bounded time instead, so the read can be retried.
let cluster: NatsCluster;
let nc: NatsConnection;
const STREAM = "SCAN";
const SUBJECT = "scan.a";
/** More than one pull (1,024 messages): the scan needs the server again after the first batch. */
const MESSAGES = 3000;

beforeAll(async () => {
  cluster = await startNatsCluster(1);
  nc = await connect({ servers: [...cluster.urls] });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: STREAM, subjects: [SUBJECT] });
  const js = jetstream(nc);
  for (let i = 0; i < MESSAGES; i += 100) {
    await Promise.all(Array.from({ length: 100 }, (_, j) => js.publish(SUBJECT, `m${i + j}`)));
  }
}, 60_000);
afterAll(async () => {
  cluster?.nodes[0]?.process?.kill("SIGCONT");
  await nc?.close();
  await cluster?.stop();
});

const range = { stream: STREAM, subject: SUBJECT, fromStreamSeq: 1, untilStreamSeq: MESSAGES };

describe("scanCommits", () => {
  it("visits every message of the range in order, then stops", async () => {
    const seen: number[] = [];
    await scanCommits(jetstream(nc), range, { clock: systemClock, idleMs: 10_000 }, (c) => {
      seen.push(c.streamSeq);
      return true;
    });
    expect(seen).toEqual(Array.from({ length: MESSAGES }, (_, i) => i + 1));
  });

  it("fails with ScanStalledError when the consumer's node stops answering mid-scan, and a retry after it is back completes", async () => {
    const server = cluster.nodes[0]!.process!;
    const seen: number[] = [];
    try {
      const scan = scanCommits(jetstream(nc), range, { clock: systemClock, idleMs: 1000 }, (c) => {
        if (seen.length === 0) server.kill("SIGSTOP");
        seen.push(c.streamSeq);
        return true;
      });
      await expect(scan).rejects.toBeInstanceOf(ScanStalledError);
      await expect(scan).rejects.toThrow(/stalled after stream sequence \d+: no message for 1000 ms/);
    } finally {
      server.kill("SIGCONT");
    }
    // It stalled mid-scan (the server was stopped on the first message), having seen a gap-free
    // prefix, and never claimed the whole range.
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThan(MESSAGES);
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => i + 1));

    const again: number[] = [];
    await scanCommits(jetstream(nc), range, { clock: systemClock, idleMs: 10_000 }, (c) => {
      again.push(c.streamSeq);
      return true;
    });
    expect(again).toHaveLength(MESSAGES);
  }, 60_000);
});
