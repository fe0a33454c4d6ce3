import { Code, ConnectError } from "@connectrpc/connect";
import type { AppendRequest, AppendResponse } from "@openaxon/protocol";
import { Origin } from "@openaxon/protocol";
import type { LogStore } from "@openaxon/store";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { type AxonClient, type Harness, readAll, startHarness, userEvent } from "./support/harness.js";
import { PushStream } from "./support/push-stream.js";

type AppendInit = Partial<Omit<AppendRequest, "$typeName" | "events">> & {
  events: ReturnType<typeof userEvent>[];
};

/** Opens a session and reads its responses in the background. */
function openSession(client: AxonClient) {
  const requests = new PushStream<AppendInit>();
  const responses: AppendResponse[] = [];
  let error: ConnectError | undefined;
  let ended = false;
  const done = (async () => {
    try {
      for await (const response of client.append(requests)) responses.push(response);
    } catch (e) {
      error = ConnectError.from(e);
    } finally {
      ended = true;
      // A real client closes its side once the server has ended the session.
      requests.end();
    }
  })();
  return {
    requests,
    responses,
    done,
    get error() {
      return error;
    },
    get ended() {
      return ended;
    },
    async waitForResponses(count: number) {
      await vi.waitFor(
        () => {
          if (responses.length < count) {
            if (ended) throw new Error(`session ended (${error?.message ?? "ok"}) after ${responses.length}`);
            throw new Error("not yet");
          }
        },
        { timeout: 10_000, interval: 5 },
      );
    },
  };
}

const ack = (r: AppendResponse) => {
  if (r.result.case !== "ack")
    throw new Error(`expected an ack, got ${r.result.case}: ${JSON.stringify(r.result.value?.message)}`);
  return r.result.value;
};
const rejected = (r: AppendResponse) => {
  if (r.result.case !== "error") throw new Error(`expected an error, got ${r.result.case}`);
  return r.result.value;
};

/** openaxon_grpc_fast_path_total{method="Append"}: sessions the raw HTTP/2 path served. */
async function rawSessions(h: Harness): Promise<number> {
  const text = await (await fetch(`${h.server.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith('openaxon_grpc_fast_path_total{method="Append"}'));
  return line === undefined ? 0 : Number(line.split(" ").pop());
}

// Every case runs on both server paths: the raw HTTP/2 one (append-fast-path.ts, the default) and
// Connect's (append-session.ts, appendFastPath: false), which must behave the same.
const PATHS = [
  { path: "raw HTTP/2", appendFastPath: true },
  { path: "Connect", appendFastPath: false },
] as const;
const SESSIONS = PATHS.flatMap(({ path, appendFastPath }) =>
  (["grpc-h2", "connect-h2"] as const).map((kind) => ({ kind, path, appendFastPath })),
);

describe.each(SESSIONS)("append session over $kind, $path path", ({ kind, appendFastPath }) => {
  let h: Harness;
  let client: AxonClient;
  beforeAll(async () => {
    h = await startHarness({ appendFastPath });
    client = h.clientFor(kind);
  });
  afterAll(async () => {
    // The cases above went the way this describe says.
    expect((await rawSessions(h)) > 0).toBe(appendFastPath);
    await h.close();
  });

  const newAxon = async () => (await client.createAxon({ name: "append" })).axon!.id;

  test("pipelined batches over two axons get in-order acks with gap-free sequences", async () => {
    const [a, b] = [await newAxon(), await newAxon()];
    const session = openSession(client);
    const sizes = [3, 1, 7, 2, 1, 5, 1, 1, 4, 9, 1, 2, 3, 1, 6, 1, 1, 2, 8, 1];
    sizes.forEach((size, i) => {
      session.requests.push({
        batchId: BigInt(100 + i),
        axonId: i % 3 === 0 ? b : a,
        events: Array.from({ length: size }, (_, j) => userEvent({ batch: i, j })),
      });
    });
    await session.waitForResponses(sizes.length);
    session.requests.end();
    await session.done;
    expect(session.error).toBeUndefined();
    expect(session.responses.map((r) => Number(r.batchId))).toEqual(sizes.map((_, i) => 100 + i));
    const next = { [a]: 1, [b]: 1 };
    session.responses.forEach((response, i) => {
      const axonId = i % 3 === 0 ? b : a;
      const { firstSequence, lastSequence, duplicate } = ack(response);
      expect([Number(firstSequence), Number(lastSequence), duplicate]).toEqual([
        next[axonId]!,
        next[axonId]! + sizes[i]! - 1,
        false,
      ]);
      next[axonId]! += sizes[i]!;
    });
    // Every acknowledged event is readable at its sequence, in batch order.
    const stored = await readAll(client, a);
    const expected = sizes.flatMap((size, i) =>
      i % 3 === 0 ? [] : Array.from({ length: size }, (_, j) => JSON.stringify({ batch: i, j })),
    );
    expect(stored.events.map((e) => e.payload)).toEqual(expected);
  });

  test("expected_head and idempotency hold per batch; rejected batches get an error ack, write nothing, and the session goes on", async () => {
    const axonId = await newAxon();
    const gone = await newAxon();
    await client.deleteAxon({ id: gone });
    const session = openSession(client);
    const send = (batch: Omit<AppendInit, "axonId"> & { axonId?: string }) =>
      session.requests.push({ axonId, ...batch });
    send({ batchId: 1n, events: [userEvent(1), userEvent(2)] }); // 1..2
    send({ batchId: 2n, events: [userEvent("stale")], expectedHead: 0n }); // head is 2 by then
    send({ batchId: 3n, events: [userEvent(3)], expectedHead: 2n }); // 3
    send({ batchId: 4n, events: [userEvent(4), userEvent(5)], idempotencyKey: "k1" }); // 4..5
    send({ batchId: 5n, events: [userEvent("again"), userEvent("again")], idempotencyKey: "k1" });
    send({ batchId: 6n, events: [userEvent(6), { ...userEvent(0), payload: "{not json" }] });
    send({ batchId: 7n, events: [{ ...userEvent(7), origin: Origin.SYSTEM_EVENT }] });
    send({ batchId: 8n, axonId: gone, events: [userEvent(8)] });
    send({ batchId: 9n, events: [] });
    send({ batchId: 10n, events: [userEvent(6)], expectedHead: 5n }); // 6
    await session.waitForResponses(10);
    session.requests.end();
    await session.done;
    expect(session.error).toBeUndefined();
    const r = session.responses;
    expect(r.map((x) => x.batchId)).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n, 10n]);
    expect(ack(r[0]!)).toMatchObject({ firstSequence: 1n, lastSequence: 2n, duplicate: false });
    expect(rejected(r[1]!)).toMatchObject({
      code: Code.FailedPrecondition,
      message: expect.stringContaining("expected_head is 0 but axon"),
      expectedHeadMismatch: { axonId, expectedHead: 0n, currentHead: 2n },
    });
    expect(ack(r[2]!)).toMatchObject({ firstSequence: 3n, lastSequence: 3n });
    expect(ack(r[3]!)).toMatchObject({ firstSequence: 4n, lastSequence: 5n, duplicate: false });
    expect(ack(r[4]!)).toMatchObject({ firstSequence: 4n, lastSequence: 5n, duplicate: true });
    expect(rejected(r[5]!)).toMatchObject({
      code: Code.InvalidArgument,
      message: expect.stringContaining("events[1].payload is not valid JSON"),
    });
    expect(rejected(r[6]!)).toMatchObject({ code: Code.PermissionDenied });
    expect(rejected(r[7]!)).toMatchObject({ code: Code.NotFound, message: expect.stringContaining(gone) });
    expect(rejected(r[8]!)).toMatchObject({
      code: Code.InvalidArgument,
      message: expect.stringContaining("events is empty"),
    });
    expect(ack(r[9]!)).toMatchObject({ firstSequence: 6n, lastSequence: 6n });
    const { events, head } = await readAll(client, axonId);
    expect(head).toBe(6n);
    expect(events.map((e) => e.payload)).toEqual(["1", "2", "3", "4", "5", "6"]);
  });

  test("a payload over the limit is a RESOURCE_EXHAUSTED error ack with its sizes", async () => {
    const axonId = await newAxon();
    const session = openSession(client);
    const big = "x".repeat(4 * 1024 * 1024);
    session.requests.push({ batchId: 1n, axonId, events: [userEvent(big)] });
    session.requests.push({ batchId: 2n, axonId, events: [userEvent("small")] });
    await session.waitForResponses(2);
    session.requests.end();
    await session.done;
    expect(rejected(session.responses[0]!)).toMatchObject({
      code: Code.ResourceExhausted,
      payloadTooLarge: { limitBytes: BigInt(4 * 1024 * 1024) },
    });
    expect(ack(session.responses[1]!)).toMatchObject({ firstSequence: 1n });
  });
});

/** A store whose appends wait until the test lets them go, counting how many wait at once. */
function gatedStore(store: LogStore) {
  const held: (() => void)[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const gated: LogStore = Object.create(store);
  gated.append = async (...args) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise<void>((resolve) => held.push(resolve));
    try {
      return await store.append(...args);
    } finally {
      inFlight--;
    }
  };
  return {
    gated,
    held,
    get maxInFlight() {
      return maxInFlight;
    },
    release() {
      for (const go of held.splice(0)) go();
    },
  };
}

describe.each(SESSIONS)("pipelining and backpressure over $kind, $path path", ({ kind, appendFastPath }) => {
  let gate: ReturnType<typeof gatedStore>;
  let h: Harness;
  let client: AxonClient;
  beforeAll(async () => {
    h = await startHarness({
      appendFastPath,
      maxUnackedBytes: 3000,
      wrapStore: (store) => {
        gate = gatedStore(store);
        return gate.gated;
      },
    });
    client = h.clientFor(kind);
  });
  afterAll(async () => {
    expect((await rawSessions(h)) > 0).toBe(appendFastPath);
    await h.close();
  });

  test("the server hands batch 2 to the store before batch 1 is durable (so they can share a group commit)", async () => {
    const axonId = (await h.client.createAxon({})).axon!.id;
    const session = openSession(client);
    session.requests.push({ batchId: 1n, axonId, events: [userEvent(1)] });
    session.requests.push({ batchId: 2n, axonId, events: [userEvent(2)] });
    // Without pipelining batch 2 would wait for batch 1's ack, and this would time out.
    await vi.waitFor(() => expect(gate.held.length).toBe(2), { timeout: 10_000, interval: 5 });
    gate.release();
    await session.waitForResponses(2);
    session.requests.end();
    await session.done;
    expect(session.responses.map((r) => ack(r).firstSequence)).toEqual([1n, 2n]);
  });

  test("no more than the unacked-bytes limit is taken in; the rest waits, then everything is acked in order", async () => {
    const axonId = (await h.client.createAxon({})).axon!.id;
    const session = openSession(client);
    // Each batch holds ~1,100 bytes by the server's count: at most 3 fit under 3,000 bytes.
    const payload = "y".repeat(1000);
    for (let i = 1; i <= 12; i++)
      session.requests.push({ batchId: BigInt(i), axonId, events: [userEvent(payload)] });
    let acked = 0;
    while (acked < 12) {
      await vi.waitFor(() => expect(gate.held.length).toBeGreaterThan(0), { timeout: 10_000, interval: 5 });
      // Give the server every chance to read further batches it should not take in.
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(gate.held.length).toBeLessThanOrEqual(3);
      acked += gate.held.length;
      gate.release();
      await session.waitForResponses(acked);
    }
    session.requests.end();
    await session.done;
    expect(gate.maxInFlight).toBeLessThanOrEqual(3);
    expect(gate.maxInFlight).toBeGreaterThan(1);
    expect(session.responses.map((r) => Number(ack(r).firstSequence))).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
  });
});

test.each(SESSIONS)(
  "server shutdown: acked batches stay durable and the session ends with UNAVAILABLE ($kind, $path path)",
  async ({ kind, appendFastPath }) => {
    const h = await startHarness({ appendFastPath });
    try {
      const axonId = (await h.client.createAxon({})).axon!.id;
      const session = openSession(h.clientFor(kind));
      session.requests.push({ batchId: 1n, axonId, events: [userEvent(1)] });
      await session.waitForResponses(1);
      await h.server.close();
      await session.done;
      expect(session.error?.code).toBe(Code.Unavailable);
      expect((await h.store.read(axonId, { afterSequence: 0, limit: 10 })).map((e) => e.sequence)).toEqual([
        1,
      ]);
    } finally {
      await h.close();
    }
  },
);

test.each(PATHS)(
  "each batch is checked against the key's scopes like a PublishBatch, as a per-batch error ($path path)",
  async ({ appendFastPath }) => {
    const h = await startHarness({
      appendFastPath,
      apiKeys: [
        { key: "admin-key", scopes: ["read", "publish", "agent", "admin"] },
        { key: "publish-key", scopes: ["publish"] },
        { key: "read-key", scopes: ["read"] },
      ],
    });
    try {
      const axonId = (await h.clientFor("grpc-h2", "admin-key").createAxon({})).axon!.id;
      const publisher = openSession(h.clientFor("connect-h2", "publish-key"));
      publisher.requests.push({ batchId: 1n, axonId, events: [userEvent(1)] });
      publisher.requests.push({
        batchId: 2n,
        axonId,
        events: [{ ...userEvent(2), origin: Origin.AGENT_EVENT }],
      });
      publisher.requests.push({ batchId: 3n, axonId, events: [userEvent(3)] });
      await publisher.waitForResponses(3);
      publisher.requests.end();
      await publisher.done;
      expect(ack(publisher.responses[0]!)).toMatchObject({ firstSequence: 1n });
      expect(rejected(publisher.responses[1]!)).toMatchObject({
        code: Code.PermissionDenied,
        message: 'Append needs an API key with the "agent" scope; this key has "publish"',
      });
      expect(ack(publisher.responses[2]!)).toMatchObject({ firstSequence: 2n });

      const reader = openSession(h.clientFor("grpc-h2", "read-key"));
      reader.requests.push({ batchId: 1n, axonId, events: [userEvent("no")] });
      await reader.waitForResponses(1);
      reader.requests.end();
      await reader.done;
      expect(rejected(reader.responses[0]!)).toMatchObject({ code: Code.PermissionDenied });

      const anonymous = openSession(h.clientFor("grpc-h2"));
      anonymous.requests.push({ batchId: 1n, axonId, events: [userEvent("no")] });
      await anonymous.done;
      expect(anonymous.error?.code).toBe(Code.Unauthenticated);
      expect((await readAll(h.clientFor("grpc-h2", "read-key"), axonId)).head).toBe(2n);
    } finally {
      await h.close();
    }
  },
);
