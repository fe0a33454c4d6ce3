import { Code, ConnectError } from "@connectrpc/connect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createAxonClient } from "./axon-client.js";
import type { RetryOptions } from "./backoff.js";
import type { ReconnectInfo } from "./subscribe.js";
import { FakeAxonService } from "./test-support/fake-axon-service.js";
import { ManualTimers } from "./test-support/manual-timers.js";
import type { AxonEvent } from "./types.js";

const instantRetry = (delays: number[] = []): RetryOptions => ({
  sleep: async (ms) => {
    delays.push(ms);
  },
  random: () => 0.5,
});

function setup(options: { batchSize?: number; delays?: number[] } = {}) {
  const fake = new FakeAxonService(options.batchSize);
  const client = createAxonClient({ transport: fake.transport(), retry: instantRetry(options.delays) });
  return { fake, axon: client.axon(fake.axonId) };
}

/** Collects events until `count` arrived, then stops the subscription by breaking the loop. */
async function take(events: AsyncIterable<AxonEvent>, count: number): Promise<number[]> {
  const sequences: number[] = [];
  if (count === 0) return sequences;
  for await (const event of events) {
    sequences.push(event.sequence);
    if (sequences.length === count) break;
  }
  return sequences;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("subscribe", () => {
  it("resumes after the last delivered event when the stream drops mid-replay", async () => {
    const { fake, axon } = setup();
    fake.append(10);
    fake.scripts.push({ failAfterEvents: 3 }, { failAfterEvents: 4 });

    expect(await take(axon.subscribe(), 10)).toEqual(range(1, 10));
    expect(fake.subscribeCalls.map((call) => call.afterSequence)).toEqual([0, 3, 7]);
  });

  it("drops events the server repeats after a reconnect", async () => {
    const { fake, axon } = setup();
    fake.append(6);
    fake.scripts.push({ failAfterEvents: 4 }, { replayFrom: 1 });

    expect(await take(axon.subscribe(), 6)).toEqual(range(1, 6));
  });

  it("keeps following live events across reconnects", async () => {
    const { fake, axon } = setup();
    fake.append(2);
    fake.scripts.push({ endAfterCaughtUp: true });
    const received: number[] = [];
    const caughtUp: number[] = [];
    const onCaughtUp = ({ headSequence }: { headSequence: number }) => {
      caughtUp.push(headSequence);
      if (headSequence === 2) fake.append(1);
    };
    for await (const event of axon.subscribe({ onCaughtUp })) {
      received.push(event.sequence);
      // Each live event triggers the next publish, so live delivery is exercised without timing.
      if (event.sequence === 6) break;
      if (event.sequence >= 3) fake.append(1);
    }
    expect(received).toEqual(range(1, 6));
    expect(caughtUp[0]).toBe(2);
    expect(fake.subscribeCalls.map((call) => call.afterSequence)).toEqual([0, 2]);
  });

  it("starts after afterSequence", async () => {
    const { fake, axon } = setup();
    fake.append(5);
    expect(await take(axon.subscribe({ afterSequence: 3 }), 2)).toEqual([4, 5]);
  });

  it("throws errors retrying cannot fix, without retrying", async () => {
    for (const code of [Code.NotFound, Code.Unauthenticated, Code.PermissionDenied, Code.InvalidArgument]) {
      const { fake, axon } = setup();
      fake.scripts.push({ failAfterEvents: 0, error: new ConnectError("no", code) });
      const error = await take(axon.subscribe(), 1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectError);
      expect((error as ConnectError).code).toBe(code);
      expect(fake.subscribeCalls.length).toBe(1);
    }
  });

  it("retries UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL and UNKNOWN", async () => {
    const { fake, axon } = setup();
    fake.append(1);
    for (const code of [Code.Unavailable, Code.DeadlineExceeded, Code.Internal, Code.Unknown]) {
      fake.scripts.push({ failAfterEvents: 0, error: new ConnectError("flaky", code) });
    }
    expect(await take(axon.subscribe(), 1)).toEqual([1]);
    expect(fake.subscribeCalls.length).toBe(5);
  });

  it("backs off exponentially while failing and starts over once a stream delivers", async () => {
    const delays: number[] = [];
    const { fake, axon } = setup({ delays });
    fake.append(2);
    fake.scripts.push(
      { failAfterEvents: 0 },
      { failAfterEvents: 0 },
      { failAfterEvents: 0 },
      { failAfterEvents: 1 },
      { failAfterEvents: 0 },
    );
    const reconnects: ReconnectInfo[] = [];
    const events = axon.subscribe({ onReconnect: (info) => reconnects.push(info) });
    expect(await take(events, 2)).toEqual([1, 2]);
    // random() = 0.5 → delay = 3/4 of the ceiling; ceilings 250, 500, 1000, then reset to 250.
    expect(delays).toEqual([188, 375, 750, 188, 375]);
    expect(reconnects.map((r) => [r.attempt, r.afterSequence])).toEqual([
      [1, 0],
      [2, 0],
      [3, 0],
      [1, 1],
      [2, 1],
    ]);
    expect(reconnects[0]?.error.code).toBe(Code.Unavailable);
  });

  it("gives up after maxAttempts consecutive failures with the last error", async () => {
    const { fake, axon } = setup();
    for (let i = 0; i < 5; i++) fake.scripts.push({ failAfterEvents: 0 });
    const error = await take(axon.subscribe({ retry: { maxAttempts: 2 } }), 1).catch((e: unknown) => e);
    expect((error as ConnectError).code).toBe(Code.Unavailable);
    expect(fake.subscribeCalls.length).toBe(3);
  });

  it("ends quietly when the signal aborts, and releases the stream", async () => {
    const { fake, axon } = setup();
    fake.append(3);
    const controller = new AbortController();
    const received: number[] = [];
    for await (const event of axon.subscribe({
      signal: controller.signal,
      onCaughtUp: () => controller.abort(),
    })) {
      received.push(event.sequence);
    }
    expect(received).toEqual([1, 2, 3]);
    await expect.poll(() => fake.openStreams).toBe(0);
  });

  it("releases the stream when the loop breaks", async () => {
    const { fake, axon } = setup();
    fake.append(3);
    expect(await take(axon.subscribe(), 1)).toEqual([1]);
    await expect.poll(() => fake.openStreams).toBe(0);
  });

  it("ends quietly when aborted during a backoff wait", async () => {
    const fake = new FakeAxonService();
    const controller = new AbortController();
    const client = createAxonClient({
      transport: fake.transport(),
      retry: {
        sleep: (_ms, signal) =>
          new Promise((resolve) => {
            signal?.addEventListener("abort", () => resolve(), { once: true });
            controller.abort();
          }),
      },
    });
    fake.scripts.push({ failAfterEvents: 0 });
    expect(await take(client.axon(fake.axonId).subscribe({ signal: controller.signal }), 1)).toEqual([]);
    expect(fake.subscribeCalls.length).toBe(1);
  });

  it("reconnects a stream that goes silent, and resumes where it was", async () => {
    const fake = new FakeAxonService();
    const timers = new ManualTimers();
    const client = createAxonClient({ transport: fake.transport(), timers, retry: instantRetry() });
    fake.append(2);
    const errors: Code[] = [];
    let caughtUp = 0;
    const received: number[] = [];
    for await (const event of client.axon(fake.axonId).subscribe({
      // The fake sends no heartbeats: once idle, only the watchdog can end the stream.
      onCaughtUp: () => {
        caughtUp++;
        if (caughtUp === 1) setImmediate(() => timers.fireAll());
        else fake.append(1);
      },
      onReconnect: ({ error }) => errors.push(error.code),
    })) {
      received.push(event.sequence);
      if (event.sequence === 3) break;
    }
    expect(received).toEqual([1, 2, 3]);
    expect(errors).toEqual([Code.DeadlineExceeded]);
    expect(fake.subscribeCalls.map((call) => call.afterSequence)).toEqual([0, 2]);
  });

  it("does not count a slow consumer's processing time as silence", async () => {
    const fake = new FakeAxonService();
    const timers = new ManualTimers();
    const client = createAxonClient({ transport: fake.transport(), timers, retry: instantRetry() });
    fake.append(3);
    const watchdogsWhileHeld: number[] = [];
    expect(
      await take(
        (async function* () {
          for await (const event of client.axon(fake.axonId).subscribe()) {
            watchdogsWhileHeld.push(timers.pending.size);
            yield event;
          }
        })(),
        3,
      ),
    ).toEqual([1, 2, 3]);
    expect(watchdogsWhileHeld).toEqual([0, 0, 0]);
    expect(fake.subscribeCalls.length).toBe(1);
  });

  it("can run without a watchdog", async () => {
    const fake = new FakeAxonService();
    const timers = new ManualTimers();
    const client = createAxonClient({ transport: fake.transport(), timers });
    fake.append(1);
    for await (const _event of client.axon(fake.axonId).subscribe({ idleTimeoutMs: 0 })) {
      expect(timers.pending.size).toBe(0);
      break;
    }
  });

  it("delivers every sequence exactly once, in order, whatever the drop points", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.record({ failAfterEvents: fc.nat(8), replayBack: fc.nat(5) }), { maxLength: 8 }),
        fc.integer({ min: 1, max: 5 }),
        async (total, drops, batchSize) => {
          const { fake, axon } = setup({ batchSize });
          fake.append(total);
          // replayFrom simulates a server that resends some already-delivered events.
          let cursor = 0;
          for (const drop of drops) {
            const replayFrom = Math.max(0, cursor - drop.replayBack);
            fake.scripts.push({ failAfterEvents: drop.failAfterEvents, replayFrom });
            cursor = Math.max(cursor, Math.min(total, replayFrom + drop.failAfterEvents));
          }
          expect(await take(axon.subscribe(), total)).toEqual(range(1, total));
        },
      ),
      { numRuns: 100 },
    );
  });
});
