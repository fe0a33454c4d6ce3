import http2 from "node:http2";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { SubscribeRequestSchema, type SubscribeResponse, SubscribeResponseSchema } from "@openaxon/protocol";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { type Follower, follow, kinds, range } from "./support/follow.js";
import { type Harness, startHarness, type TransportKind, userEvent } from "./support/harness.js";

// Issue 10 item 4: live commits are encoded once and shared by all subscribers, in frames of at
// most 64 KiB; a stream that cannot be written falls behind and recovers from the store.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const LIVE_FRAME_BYTES = 64 * 1024;

describe("issue 10: live fan-out", () => {
  test("every subscriber gets every event once, in order, across frame boundaries and codecs", async () => {
    const axonId = (await h.client.createAxon({})).axon!.id;
    const transports: TransportKind[] = ["grpc-h2", "connect-h2", "connect-h1", "grpc-web-h1"];
    const followers: Follower[] = [];
    for (let i = 0; i < 40; i++)
      followers.push(follow(h.clientFor(transports[i % transports.length]!), { axonId }));
    await Promise.all(followers.map((f) => f.waitFor((x) => kinds(x).includes("caughtUp"), 60_000)));
    // Concurrent publishes of mixed sizes (group commit merges them): single events, small batches
    // and commits of ~300 KiB that must be cut into several live frames.
    const big = "é".repeat(1500);
    const publishes: Promise<unknown>[] = [];
    let total = 0;
    for (let round = 0; round < 6; round++) {
      publishes.push(h.client.publish({ axonId, ...userEvent({ round }) }));
      publishes.push(
        h.client.publishBatch({
          axonId,
          events: Array.from({ length: 7 }, (_, k) => userEvent({ round, k })),
        }),
      );
      publishes.push(
        h.client.publishBatch({
          axonId,
          events: Array.from({ length: 100 }, (_, k) => userEvent({ round, k, big })),
        }),
      );
      total += 108;
    }
    await Promise.all(publishes);
    await Promise.all(followers.map((f) => f.waitFor((x) => x.events().length >= total, 60_000)));
    const published = (await h.store.read(axonId, { afterSequence: 0, limit: total + 1 })).map(
      (e) => e.payload,
    );
    expect(published.length).toBe(total);
    for (const f of followers) {
      expect(f.sequences()).toEqual(range(1, total));
      expect(f.events().map((e) => e.payload)).toEqual(published);
      for (const frame of f.frames) {
        if (frame.kind.case !== "events" || frame.kind.value.events.length < 2) continue;
        const bytes = toBinary(SubscribeResponseSchema, frame).length;
        expect(bytes).toBeLessThanOrEqual(LIVE_FRAME_BYTES + 8);
      }
    }
    await Promise.all(followers.map((f) => f.cancel()));
  }, 180_000);

  test("a stream that cannot be written gets fell_behind, then recovers from the store with no gap", async () => {
    // The client stops reading: HTTP/2 flow control stalls the stream while ~12 MiB are committed,
    // more than a subscriber may lag by (8 MiB), so the server drops its live buffer.
    const payload = "x".repeat(16 * 1024);
    const batches = 8;
    const perBatch = 100;
    await stallThenRecover(batches * perBatch, async (axonId) => {
      for (let b = 0; b < batches; b++) {
        await h.client.publishBatch({
          axonId,
          events: Array.from({ length: perBatch }, (_, k) => userEvent({ b, k, payload })),
        });
      }
    });
  }, 180_000);

  test("a stalled stream stops taking commits that fit a live frame once 1 MiB is queued, then recovers", async () => {
    // Each commit here is small enough for the live sink (one ~30 KiB event, under 64 KiB), so
    // only the sink's queue check stops the writes: without it the stalled stream's queue grows
    // with every commit and it never falls behind.
    const payload = "y".repeat(30 * 1024);
    const total = 400; // ~12 MiB: past the 1 MiB queue and the 8 MiB a subscriber may lag by
    await stallThenRecover(total, async (axonId) => {
      for (let i = 0; i < total; i++) await h.client.publish({ axonId, ...userEvent({ i, payload }) });
    });
  }, 180_000);
});

/**
 * A live subscriber stops reading while `publish` commits `total` events to a fresh axon; once it
 * reads again it must have been told fell_behind and get every sequence once, in order.
 */
async function stallThenRecover(total: number, publish: (axonId: string) => Promise<void>) {
  const axonId = (await h.client.createAxon({})).axon!.id;
  const reader = rawSubscribe(h.server.url, axonId);
  await vi.waitFor(() => expect(reader.frames.some((f) => f.kind.case === "caughtUp")).toBe(true), {
    timeout: 60_000,
  });
  reader.pause();
  await publish(axonId);
  reader.resume();
  await vi.waitFor(() => expect(reader.sequences().length).toBeGreaterThanOrEqual(total), {
    timeout: 120_000,
    interval: 20,
  });
  expect(reader.frames.map((f) => f.kind.case)).toContain("fellBehind");
  expect(reader.sequences()).toEqual(range(1, total));
  reader.close();
}

/** A gRPC Subscribe over raw node:http2, so the test controls when the client reads (flow control). */
function rawSubscribe(baseUrl: string, axonId: string) {
  const session = http2.connect(baseUrl);
  session.on("error", () => {});
  const stream = session.request({
    ":method": "POST",
    ":path": "/openaxon.v1.AxonService/Subscribe",
    "content-type": "application/grpc",
    te: "trailers",
  });
  const request = toBinary(SubscribeRequestSchema, create(SubscribeRequestSchema, { axonId }));
  const envelope = Buffer.alloc(5 + request.length);
  envelope.writeUInt32BE(request.length, 1);
  envelope.set(request, 5);
  stream.end(envelope);
  const frames: SubscribeResponse[] = [];
  let pending = Buffer.alloc(0);
  stream.on("data", (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 5 && pending.length >= 5 + pending.readUInt32BE(1)) {
      const end = 5 + pending.readUInt32BE(1);
      frames.push(fromBinary(SubscribeResponseSchema, pending.subarray(5, end)));
      pending = pending.subarray(end);
    }
  });
  stream.on("error", () => {});
  return {
    frames,
    sequences: () =>
      frames.flatMap((f) =>
        f.kind.case === "events" ? f.kind.value.events.map((e) => Number(e.sequence)) : [],
      ),
    pause: () => stream.pause(),
    resume: () => stream.resume(),
    close: () => {
      stream.close(http2.constants.NGHTTP2_CANCEL);
      session.close();
    },
  };
}
