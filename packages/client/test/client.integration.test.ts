import { createConnectTransport } from "@connectrpc/connect-web";
import { Origin } from "@openaxon/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AxonClient,
  Code,
  ConnectError,
  createAxonClient,
  expectedHeadMismatch,
  isConnectionError,
} from "../src/index.js";
import { type RealServer, startRealServer } from "../src/test-support/index.js";
import { ManualTimers } from "../src/test-support/manual-timers.js";

let real: RealServer;
let client: AxonClient;

beforeAll(async () => {
  real = await startRealServer();
  client = createAxonClient({ baseUrl: real.url, source: "test" });
});

afterAll(async () => {
  await real.close();
});

async function codeOf(promise: Promise<unknown>): Promise<Code | string> {
  try {
    await promise;
    return "resolved";
  } catch (error) {
    return error instanceof ConnectError ? error.code : `not a ConnectError: ${String(error)}`;
  }
}

/** A well-formed id of an axon that does not exist (any more). */
async function missingAxonId(): Promise<string> {
  const { id } = await client.axons.create();
  await client.axons.delete(id);
  return id;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("axons", () => {
  it("creates, gets and deletes an axon", async () => {
    const created = await client.axons.create({ name: "crud", labels: { team: "core" } });
    expect(created.id).toMatch(/^axn_/);
    expect(created).toMatchObject({ name: "crud", headSequence: 0, labels: { team: "core" } });

    expect(await client.axons.get(created.id)).toEqual(created);

    await client.axons.delete(created.id);
    expect(await codeOf(client.axons.get(created.id))).toBe(Code.NotFound);
  });

  it("lists every axon across pages, oldest first, filtered by name prefix", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await client.axons.create({ name: `paged-${i}` })).id);
    await client.axons.create({ name: "other" });

    const listed: string[] = [];
    for await (const axon of client.axons.list({ namePrefix: "paged-", pageSize: 2 })) listed.push(axon.id);
    expect(listed).toEqual(ids);

    const first = await client.axons.listPage({ namePrefix: "paged-", pageSize: 2 });
    expect(first.axons.map((axon) => axon.id)).toEqual(ids.slice(0, 2));
    expect(first.nextPageToken).not.toBe("");
  });
});

describe("publish", () => {
  it("assigns consecutive sequences and reports the head", async () => {
    const axon = client.axon((await client.axons.create()).id);
    const first = await axon.publish({ eventType: "user.message", payload: { text: "hi" } });
    const second = await axon.publish({
      eventType: "note",
      payload: '{"raw": true}',
      source: "webhook",
      origin: "external",
    });
    expect([first.sequence, second.sequence]).toEqual([1, 2]);
    expect(first.duplicate).toBe(false);
    expect(first.timestampMs).toBeGreaterThan(0);

    const page = await axon.events();
    expect(page.headSequence).toBe(2);
    expect(page.events.map((e) => [e.sequence, e.origin, e.source, e.eventType, e.payload])).toEqual([
      [1, "user", "test", "user.message", '{"text":"hi"}'],
      [2, "external", "webhook", "note", '{"raw": true}'],
    ]);
    expect(page.events[0]?.data()).toEqual({ text: "hi" });
  });

  it("writes nothing for a repeated idempotency key", async () => {
    const axon = client.axon((await client.axons.create()).id);
    const input = { eventType: "e", payload: {}, idempotencyKey: "k1" };
    const first = await axon.publish(input);
    const again = await axon.publish(input);
    expect(again).toMatchObject({ sequence: first.sequence, duplicate: true });
    expect((await axon.get()).headSequence).toBe(1);
  });

  it("rejects a stale expectedHead with FAILED_PRECONDITION and the current head", async () => {
    const axon = client.axon((await client.axons.create()).id);
    await axon.publish({ eventType: "e", payload: {}, expectedHead: 0 });
    const error = await axon
      .publish({ eventType: "e", payload: {}, expectedHead: 0 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.FailedPrecondition);
    expect(expectedHeadMismatch(error)).toEqual({ axonId: axon.id, expectedHead: 0, currentHead: 1 });
  });

  it("publishes a batch atomically", async () => {
    const axon = client.axon((await client.axons.create()).id);
    await axon.publish({ eventType: "e", payload: 0 });
    const batch = await axon.publishBatch(
      [
        { eventType: "a", payload: 1 },
        { eventType: "b", payload: 2, origin: "agent" },
        { eventType: "c", payload: 3 },
      ],
      { expectedHead: 1 },
    );
    expect(batch).toMatchObject({ firstSequence: 2, lastSequence: 4, duplicate: false });

    expect(
      await codeOf(
        axon.publishBatch([
          { eventType: "x", payload: 1 },
          { eventType: "y", payload: "{bad" },
        ]),
      ),
    ).toBe(Code.InvalidArgument);
    expect((await axon.get()).headSequence).toBe(4);
  });

  it("surfaces server validation as ConnectError codes", async () => {
    const axon = client.axon((await client.axons.create()).id);
    expect(await codeOf(axon.publish({ eventType: "e", payload: "{not json" }))).toBe(Code.InvalidArgument);
    expect(await codeOf(axon.publish({ eventType: "", payload: {} }))).toBe(Code.InvalidArgument);
    expect(await codeOf(axon.publish({ eventType: "e", payload: {}, origin: "system" as "user" }))).toBe(
      Code.PermissionDenied,
    );
    const missing = client.axon(await missingAxonId());
    expect(await codeOf(missing.publish({ eventType: "e", payload: {} }))).toBe(Code.NotFound);
    expect(await codeOf(client.axons.get("not-an-id"))).toBe(Code.InvalidArgument);
    expect((await axon.get()).headSequence).toBe(0);
  });
});

describe("events", () => {
  it("pages ascending and descending", async () => {
    const axon = client.axon((await client.axons.create()).id);
    await axon.publishBatch(range(1, 5).map((n) => ({ eventType: "n", payload: n })));

    const first = await axon.events({ limit: 2 });
    expect(first.events.map((e) => e.sequence)).toEqual([1, 2]);
    expect(first.hasMore).toBe(true);
    const rest = await axon.events({ afterSequence: 2, limit: 10 });
    expect(rest.events.map((e) => e.sequence)).toEqual([3, 4, 5]);
    expect(rest.hasMore).toBe(false);

    const newest = await axon.events({ descending: true, limit: 2 });
    expect(newest.events.map((e) => e.sequence)).toEqual([5, 4]);
  });
});

describe("subscribe", () => {
  it("replays, signals caught up, then delivers live events", async () => {
    const axon = client.axon((await client.axons.create()).id);
    await axon.publishBatch(range(1, 3).map((n) => ({ eventType: "n", payload: n })));
    const caughtUp: number[] = [];
    const received: number[] = [];
    const onCaughtUp = ({ headSequence }: { headSequence: number }) => {
      caughtUp.push(headSequence);
      void axon.publish({ eventType: "live", payload: { n: 4 } });
    };
    for await (const event of axon.subscribe({ onCaughtUp })) {
      received.push(event.sequence);
      if (event.sequence === 4) {
        expect(event.eventType).toBe("live");
        break;
      }
    }
    expect(received).toEqual([1, 2, 3, 4]);
    expect(caughtUp).toEqual([3]);
  });

  it("filters by event type and origin", async () => {
    const axon = client.axon((await client.axons.create()).id);
    await axon.publishBatch([
      { eventType: "a", payload: 1 },
      { eventType: "b", payload: 2, origin: "agent" },
      { eventType: "a", payload: 3, origin: "agent" },
    ]);
    const controller = new AbortController();
    const received: number[] = [];
    for await (const event of axon.subscribe({
      eventTypes: ["a"],
      origins: ["agent"],
      signal: controller.signal,
      onCaughtUp: () => controller.abort(),
    })) {
      received.push(event.sequence);
    }
    expect(received).toEqual([3]);
  });

  it("resumes across a server restart with no duplicate and no gap", async () => {
    const axon = client.axon((await client.axons.create()).id);
    await axon.publishBatch(range(1, 1000).map((n) => ({ eventType: "n", payload: n })));

    // Backoff waits for the restart instead of a timer, so the test is deterministic.
    let restarted: Promise<void> | undefined;
    const reconnects: number[] = [];
    const resilient = createAxonClient({
      baseUrl: real.url,
      retry: {
        sleep: async () => {
          await restarted;
        },
      },
    });
    const received: number[] = [];
    for await (const event of resilient.axon(axon.id).subscribe({
      onReconnect: ({ afterSequence }) => reconnects.push(afterSequence),
    })) {
      received.push(event.sequence);
      if (event.sequence === 10) {
        // Mid-replay: stop the server, append while it is down, start it again on the same port.
        restarted = real.restart(async () => {
          await real.store.append(
            axon.id,
            range(1001, 1100).map((n) => ({
              origin: Origin.User,
              source: "test",
              eventType: "n",
              payload: String(n),
            })),
          );
        });
      }
      if (event.sequence === 1100) break;
    }
    await restarted;
    expect(received).toEqual(range(1, 1100));
    expect(reconnects.length).toBeGreaterThan(0);
    expect(reconnects[0]).toBeGreaterThanOrEqual(10);
  });

  it("resumes after connections cut mid-stream, with no duplicate and no gap", async () => {
    const axon = client.axon((await client.axons.create()).id);
    for (const from of [1, 1001]) {
      await axon.publishBatch(range(from, from + 999).map((n) => ({ eventType: "n", payload: { n } })));
    }

    // The first three Subscribe responses die after a few KiB, like a connection reset.
    let cuts = 3;
    const cuttingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!String(input).endsWith("/Subscribe") || cuts-- <= 0 || !response.body) return response;
      return new Response(response.body.pipeThrough(cutAfterBytes(4096 * (4 - cuts))), response);
    };
    const errors: Code[] = [];
    const cutting = createAxonClient({
      transport: createConnectTransport({ baseUrl: real.url, useBinaryFormat: true, fetch: cuttingFetch }),
      retry: { sleep: async () => {} },
    });
    const received: number[] = [];
    for await (const event of cutting.axon(axon.id).subscribe({
      onReconnect: ({ error }) => errors.push(error.code),
    })) {
      received.push(event.sequence);
      if (event.sequence === 2000) break;
    }
    expect(received).toEqual(range(1, 2000));
    expect(errors).toEqual([Code.Unknown, Code.Unknown, Code.Unknown]);
  });

  it("reconnects a silent stream through the idle watchdog", async () => {
    const axon = client.axon((await client.axons.create()).id);
    await axon.publish({ eventType: "e", payload: 1 });
    const timers = new ManualTimers();
    const watched = createAxonClient({ baseUrl: real.url, timers, retry: { sleep: async () => {} } });
    const errors: Code[] = [];
    let caughtUp = 0;
    const received: number[] = [];
    for await (const event of watched.axon(axon.id).subscribe({
      onCaughtUp: () => {
        caughtUp++;
        // The server's next heartbeat is seconds away, so the stream is idle now.
        if (caughtUp === 1) setImmediate(() => timers.fireAll());
        else void axon.publish({ eventType: "e", payload: 2 });
      },
      onReconnect: ({ error }) => errors.push(error.code),
    })) {
      received.push(event.sequence);
      if (event.sequence === 2) break;
    }
    expect(received).toEqual([1, 2]);
    expect(errors).toEqual([Code.DeadlineExceeded]);
  });

  it("throws NOT_FOUND for an unknown axon instead of retrying", async () => {
    let retried = false;
    const events = client.axon(await missingAxonId()).subscribe({ onReconnect: () => (retried = true) });
    const error = await (async () => {
      for await (const _event of events) return "delivered";
    })().catch((e: unknown) => e);
    expect((error as ConnectError).code).toBe(Code.NotFound);
    expect(retried).toBe(false);
  });
});

describe("connection and auth errors", () => {
  it("reports an unreachable server as a connection error", async () => {
    const gone = await startRealServer();
    await gone.close();
    const error = await createAxonClient({ baseUrl: gone.url })
      .axons.get("axn_x")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect(isConnectionError(error)).toBe(true);
  });

  it("sends the API key as a bearer token on unary calls and streams", async () => {
    const secured = await startRealServer({ apiKeys: ["k_right"] });
    try {
      const anonymous = createAxonClient({ baseUrl: secured.url });
      expect(await codeOf(anonymous.axons.create())).toBe(Code.Unauthenticated);
      const wrong = createAxonClient({ baseUrl: secured.url, apiKey: "k_wrong" });
      expect(await codeOf(wrong.axons.create())).toBe(Code.Unauthenticated);

      const keyed = createAxonClient({ baseUrl: secured.url, apiKey: "k_right" });
      const axon = keyed.axon((await keyed.axons.create()).id);
      await axon.publish({ eventType: "e", payload: {} });
      for await (const event of axon.subscribe()) {
        expect(event.sequence).toBe(1);
        break;
      }
      const events = anonymous.axon(axon.id).subscribe();
      const error = await (async () => {
        for await (const _event of events) return "delivered";
      })().catch((e: unknown) => e);
      expect((error as ConnectError).code).toBe(Code.Unauthenticated);
    } finally {
      await secured.close();
    }
  });
});

/** Passes `limit` bytes through, then errors the stream as a dropped connection would. */
function cutAfterBytes(limit: number): TransformStream<Uint8Array, Uint8Array> {
  let passed = 0;
  return new TransformStream({
    transform(chunk, controller) {
      const room = limit - passed;
      if (chunk.byteLength < room) {
        passed += chunk.byteLength;
        controller.enqueue(chunk);
        return;
      }
      controller.enqueue(chunk.subarray(0, room));
      controller.error(new TypeError("terminated"));
    },
  });
}
