import { create } from "@bufbuild/protobuf";
import { seededRng } from "@openaxon/core";
import { ManualClock } from "@openaxon/core/testing";
import { Origin, SubscribeRequestSchema } from "@openaxon/protocol";
import { KvLogStore, type LogStore, MemoryBackend, type StoredEvent } from "@openaxon/store";
import { expect, test, vi } from "vitest";
import { AxonDeletions } from "./axon-deletions.js";
import { type SubscribeFrame, subscribeStream } from "./subscribe-stream.js";

// A heartbeat's head_sequence is never below a sequence the stream has already sent. The heartbeat
// reads the axon's head asynchronously; while that read is in flight the live sink may write newer
// commits, so the head it read can be older than what the subscriber just received.

test("a heartbeat never reports a head below what the stream already delivered", async () => {
  const clock = new ManualClock();
  const inner = new KvLogStore({ backend: new MemoryBackend(), clock, rng: seededRng(3) });
  const { id } = await inner.createAxon({ name: "", labels: {} });
  // Once `holdReads` is set, getAxon answers with the head as it was when called, but only once
  // `release` runs.
  let holdReads = false;
  let release: (() => void) | undefined;
  const store = new Proxy(inner, {
    get(target, key, receiver) {
      if (key !== "getAxon" || !holdReads) return Reflect.get(target, key, receiver);
      return async (axonId: string) => {
        const snapshot = await target.getAxon(axonId);
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        return snapshot;
      };
    },
  }) as LogStore;

  const sunk: number[] = [];
  const liveSink = (commit: readonly StoredEvent[]) => {
    for (const e of commit) sunk.push(e.sequence);
    return true;
  };
  const controller = new AbortController();
  const frames: SubscribeFrame[] = [];
  const stream = subscribeStream(create(SubscribeRequestSchema, { axonId: id }), {
    store,
    clock,
    heartbeatIntervalMs: 1000,
    signal: controller.signal,
    deletions: new AxonDeletions(),
    binaryCodec: true,
    liveSink,
  });
  const done = (async () => {
    for await (const frame of stream) frames.push(frame);
  })();

  await vi.waitFor(() => expect(frames.map((f) => f.kind?.case)).toEqual(["caughtUp"]));
  holdReads = true;
  await vi.waitFor(() => expect(clock.pending).toBeGreaterThan(0));
  clock.advance(1000); // the heartbeat's head read starts, and waits
  await vi.waitFor(() => expect(release).toBeDefined());
  const event = { origin: Origin.USER_EVENT, source: "t", eventType: "user.message", payload: "{}" };
  await inner.append(id, [event, event]);
  expect(sunk).toEqual([1, 2]);
  release!();
  await vi.waitFor(() => expect(frames).toHaveLength(2));
  expect(frames[1]!.kind).toMatchObject({ case: "heartbeat", value: { headSequence: 2n } });
  controller.abort();
  await done;
});
