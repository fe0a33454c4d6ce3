import { Code } from "@connectrpc/connect";
import { Origin } from "@openaxon/protocol";
import type { LogStore } from "@openaxon/store";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { follow, kinds, range } from "./support/follow.js";
import { type Harness, startHarness, type TransportKind, userEvent } from "./support/harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

async function axonWith(count: number, client = h.client) {
  const axonId = (await client.createAxon({})).axon!.id;
  for (let i = 0; i < count; i += 1000) {
    const n = Math.min(1000, count - i);
    await client.publishBatch({
      axonId,
      events: Array.from({ length: n }, (_, j) => userEvent({ n: i + j + 1 })),
    });
  }
  return axonId;
}

describe("catch-up then live", () => {
  test.each<TransportKind>(["grpc-h2", "connect-h1", "connect-h2", "grpc-web-h1"])(
    "replays, sends caught_up, then follows live (%s)",
    async (kind) => {
      const client = h.clientFor(kind);
      const axonId = await axonWith(30, client);
      const f = follow(client, { axonId });
      await f.waitFor((x) => kinds(x).includes("caughtUp"));
      expect(f.sequences()).toEqual(range(1, 30));
      const caughtUp = f.frames.find((x) => x.kind.case === "caughtUp")!;
      expect(caughtUp.kind.value).toMatchObject({ headSequence: 30n });
      await client.publish({ axonId, ...userEvent({ n: 31 }) });
      await client.publishBatch({ axonId, events: [userEvent({ n: 32 }), userEvent({ n: 33 })] });
      await f.waitForEvents(33);
      expect(f.sequences()).toEqual(range(1, 33));
      expect(f.events().map((e) => JSON.parse(e.payload).n)).toEqual(range(1, 33));
      await f.cancel();
    },
  );

  test("events are batched into frames during replay", async () => {
    const axonId = await axonWith(2000);
    const f = follow(h.client, { axonId });
    await f.waitFor((x) => kinds(x).includes("caughtUp"));
    expect(f.sequences()).toEqual(range(1, 2000));
    expect(f.frames.length).toBeLessThan(20);
    await f.cancel();
  });

  test("no skipped and no repeated sequence whatever races with the hand-off", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 80 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 4 }),
        async (startAfterAcks, publishers) => {
          const perPublisher = 20;
          const total = publishers * perPublisher;
          const axonId = await axonWith(20);
          let acks = 0;
          const followers: ReturnType<typeof follow>[] = [];
          const pending = [...startAfterAcks].sort((a, b) => a - b);
          const startDue = () => {
            while (pending.length > 0 && pending[0]! <= acks) {
              pending.shift();
              followers.push(follow(h.client, { axonId }));
            }
          };
          startDue();
          await Promise.all(
            Array.from({ length: publishers }, async (_, p) => {
              for (let i = 0; i < perPublisher; i++) {
                await h.client.publish({ axonId, ...userEvent({ p, i }) });
                acks++;
                startDue();
              }
            }),
          );
          while (pending.length > 0) {
            pending.shift();
            followers.push(follow(h.client, { axonId }));
          }
          for (const f of followers) {
            await f.waitForEvents(20 + total);
            expect(f.sequences()).toEqual(range(1, 20 + total));
            await f.cancel();
          }
        },
      ),
      { numRuns: 10 },
    );
  }, 120_000);

  test("reconnecting with after_sequence resumes with no duplicate and no gap", async () => {
    const axonId = await axonWith(10);
    const first = follow(h.client, { axonId });
    await first.waitForEvents(10);
    await first.cancel();
    const delivered = first.sequences();
    // Published while nobody listens.
    await h.client.publishBatch({ axonId, events: range(11, 15).map((n) => userEvent({ n })) });
    const second = follow(h.client, { axonId, afterSequence: BigInt(delivered[delivered.length - 1]!) });
    await h.client.publish({ axonId, ...userEvent({ n: 16 }) });
    await second.waitForEvents(6);
    expect([...delivered, ...second.sequences()]).toEqual(range(1, 16));
    await second.cancel();
  });

  test("after_sequence beyond the head waits for future events", async () => {
    const axonId = await axonWith(3);
    const f = follow(h.client, { axonId, afterSequence: 5n });
    await f.waitFor((x) => kinds(x).includes("caughtUp"));
    expect(f.events()).toEqual([]);
    for (let n = 4; n <= 7; n++) await h.client.publish({ axonId, ...userEvent({ n }) });
    await f.waitForEvents(2);
    expect(f.sequences()).toEqual([6, 7]);
    await f.cancel();
  });

  test("filters by event type and origin; the cursor still advances past filtered events", async () => {
    const axonId = (await h.client.createAxon({})).axon!.id;
    const mixed = [
      userEvent(1, "user.message"),
      { ...userEvent(2, "turn.plan"), origin: Origin.AGENT_EVENT },
      { ...userEvent(3, "user.message"), origin: Origin.EXTERNAL_EVENT },
      userEvent(4, "turn.cancel"),
    ];
    await h.client.publishBatch({ axonId, events: mixed });
    const byType = follow(h.client, { axonId, eventTypes: ["user.message"] });
    const byOrigin = follow(h.client, { axonId, origins: [Origin.AGENT_EVENT, Origin.EXTERNAL_EVENT] });
    const both = follow(h.client, { axonId, eventTypes: ["user.message"], origins: [Origin.USER_EVENT] });
    for (const f of [byType, byOrigin, both]) await f.waitFor((x) => kinds(x).includes("caughtUp"));
    await h.client.publishBatch({ axonId, events: mixed });
    await byType.waitForEvents(4);
    await byOrigin.waitForEvents(4);
    await both.waitForEvents(2);
    expect(byType.sequences()).toEqual([1, 3, 5, 7]);
    expect(byOrigin.sequences()).toEqual([2, 3, 6, 7]);
    expect(both.sequences()).toEqual([1, 5]);
    await Promise.all([byType.cancel(), byOrigin.cancel(), both.cancel()]);
  });

  test("frames stay small enough for gRPC clients' default 4 MiB message limit", async () => {
    const axonId = (await h.client.createAxon({})).axon!.id;
    const big = JSON.stringify("x".repeat(900_000));
    await h.client.publishBatch({
      axonId,
      events: Array.from({ length: 8 }, () => ({ ...userEvent(0), payload: big })),
    });
    const f = follow(h.client, { axonId });
    await f.waitForEvents(8);
    for (const frame of f.frames) {
      if (frame.kind.case !== "events") continue;
      const bytes = frame.kind.value.events.reduce((n, e) => n + e.payload.length, 0);
      expect(bytes).toBeLessThan(2 * 1024 * 1024);
    }
    expect(f.sequences()).toEqual(range(1, 8));
    await f.cancel();
  });
});

describe("errors and endings", () => {
  test("unknown axon is NOT_FOUND, malformed id INVALID_ARGUMENT", async () => {
    const missing = follow(h.client, { axonId: "axn_0000000000zzzzzzzzzzzzzzzz" });
    const malformed = follow(h.client, { axonId: "oops" });
    await Promise.all([missing.done, malformed.done]);
    expect(missing.error?.code).toBe(Code.NotFound);
    expect(malformed.error?.code).toBe(Code.InvalidArgument);
  });

  test("deleting the axon ends its live streams with NOT_FOUND", async () => {
    const axonId = await axonWith(2);
    const f = follow(h.client, { axonId });
    await f.waitFor((x) => kinds(x).includes("caughtUp"));
    await h.client.deleteAxon({ id: axonId });
    await f.done;
    expect(f.error?.code).toBe(Code.NotFound);
  });

  test("a client that goes away releases its live tail on the server", async () => {
    let watching = 0;
    const counted = await startHarness({
      wrapStore: (store) =>
        new Proxy(store, {
          get(target, key, receiver) {
            if (key !== "watch") return Reflect.get(target, key, receiver);
            return ((axonId, listener) => {
              watching++;
              const unwatch = target.watch(axonId, listener);
              return () => {
                watching--;
                unwatch();
              };
            }) satisfies LogStore["watch"];
          },
        }),
    });
    try {
      const axonId = await axonWith(1, counted.client);
      const followers = [
        follow(counted.client, { axonId }),
        follow(counted.clientFor("connect-h1"), { axonId }),
      ];
      for (const f of followers) await f.waitFor((x) => kinds(x).includes("caughtUp"));
      expect(watching).toBe(2);
      for (const f of followers) await f.cancel();
      await vi.waitFor(() => expect(watching).toBe(0), { timeout: 5000 });
    } finally {
      await counted.close();
    }
  });
});

describe("slow subscribers", () => {
  test("overflowing the live buffer sends fell_behind, then replays from the store without loss", async () => {
    const small = await startHarness({ liveBufferLimit: 4 });
    try {
      const axonId = await axonWith(3, small.client);
      const f = follow(small.client, { axonId });
      await f.waitFor((x) => kinds(x).includes("caughtUp"));
      // One commit of 10 events exceeds the 4-event live buffer at once.
      await small.client.publishBatch({ axonId, events: range(4, 13).map((n) => userEvent({ n })) });
      await f.waitFor(
        (x) => x.events().length >= 13 && kinds(x).filter((k) => k === "caughtUp").length === 2,
      );
      const fellBehind = f.frames.find((x) => x.kind.case === "fellBehind");
      expect(fellBehind?.kind.value).toMatchObject({ lastSequence: 3n });
      expect(f.sequences()).toEqual(range(1, 13));
      // Back to live afterwards.
      await small.client.publish({ axonId, ...userEvent({ n: 14 }) });
      await f.waitForEvents(14);
      expect(f.sequences()).toEqual(range(1, 14));
      await f.cancel();
    } finally {
      await small.close();
    }
  });
});
