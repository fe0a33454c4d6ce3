import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConnectTransport } from "@connectrpc/connect-node";
import { type RunningAxonServer, startAxonServer } from "@openaxon/server";
import { type KvLogStore, type LogStore, openClassicLevelLogStore } from "@openaxon/store";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { type AxonClient, Code, ConnectError, createAxonClient, expectedHeadMismatch } from "../src/index.js";

/** The server's store, with every append recorded and optionally held until released. */
function observedStore(store: KvLogStore) {
  const appends: number[] = [];
  const held: (() => void)[] = [];
  let holding = false;
  const observed: LogStore = Object.create(store);
  observed.append = async (axonId, events, options) => {
    appends.push(events.length);
    if (holding) await new Promise<void>((resolve) => held.push(resolve));
    return store.append(axonId, events, options);
  };
  return {
    observed,
    appends,
    held,
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      for (const go of held.splice(0)) go();
    },
  };
}

let dir: string;
let store: KvLogStore;
let observer: ReturnType<typeof observedStore>;
let server: RunningAxonServer;
let client: AxonClient;

const start = (port: number) =>
  startAxonServer({ store: observer.observed, host: "127.0.0.1", port, shutdownTimeoutMs: 200 });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "openaxon-producer-"));
  store = await openClassicLevelLogStore({ path: dir });
  observer = observedStore(store);
  server = await start(0);
  client = createAxonClient({ baseUrl: server.url, source: "test" });
});

afterAll(async () => {
  await server.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const newAxon = async () => (await client.axons.create({ name: "producer" })).id;

async function outcome<T>(promise: Promise<T>): Promise<T | ConnectError> {
  try {
    return await promise;
  } catch (error) {
    return ConnectError.from(error);
  }
}

test("32 concurrent publish() calls share one append, each caller getting its own sequence", async () => {
  const axonId = await newAxon();
  const axon = client.axon(axonId);
  const before = observer.appends.length;
  const results = await Promise.all(
    Array.from({ length: 32 }, (_, i) => axon.publish({ eventType: "user.message", payload: { i } })),
  );
  expect(observer.appends.slice(before)).toEqual([32]);
  expect(results.map((r) => r.sequence).sort((a, b) => a - b)).toEqual(
    Array.from({ length: 32 }, (_, i) => i + 1),
  );
  const page = await axon.events({ limit: 100 });
  // Caller i's payload is stored at the sequence caller i was given.
  expect(results.map((r) => JSON.parse(page.events[r.sequence - 1]!.payload))).toEqual(
    results.map((_, i) => ({ i })),
  );
});

test("coalesced publishes over a custom JSON transport arrive whole (events are hand-encoded only for binary)", async () => {
  const json = createAxonClient({
    baseUrl: server.url,
    source: "test",
    transport: createConnectTransport({ baseUrl: server.url, httpVersion: "2", useBinaryFormat: false }),
    producer: true,
  });
  const axon = json.axon(await newAxon());
  const before = observer.appends.length;
  const results = await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      axon.publish({ eventType: "user.message", payload: { i, text: "é😀" } }),
    ),
  );
  expect(observer.appends.slice(before)).toEqual([8]);
  const page = await axon.events({ limit: 100 });
  expect(results.map((r) => JSON.parse(page.events[r.sequence - 1]!.payload))).toEqual(
    results.map((_, i) => ({ i, text: "é😀" })),
  );
});

test("a JS caller's event without an event type fails only its own call and leaves the session in step", async () => {
  const axon = client.axon(await newAxon());
  const noType = { payload: { i: 2 } } as unknown as Parameters<typeof axon.publish>[0];
  const outcomes = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      outcome(axon.publish(i === 2 ? noType : { eventType: "user.message", payload: { i } })),
    ),
  );
  expect((outcomes[2] as ConnectError).code).toBe(Code.InvalidArgument);
  const sequences = outcomes
    .filter((o) => !(o instanceof ConnectError))
    .map((o) => (o as { sequence: number }).sequence);
  expect(sequences.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
  // Acks still match their batches: the next publish gets the next sequence, its payload stored there.
  const next = await axon.publish({ eventType: "user.message", payload: { after: true } });
  expect(next.sequence).toBe(6);
  const page = await axon.events({ limit: 10 });
  expect(JSON.parse(page.events[5]!.payload)).toEqual({ after: true });
});

test("a bad event fails only its own caller, with the unary call's code and message", async () => {
  const axonId = await newAxon();
  const axon = client.axon(axonId);
  const bad = { eventType: "not a type!", payload: {} };
  const outcomes = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      outcome(axon.publish(i === 4 ? bad : { eventType: "user.message", payload: { i } })),
    ),
  );
  const unary = await outcome(axon.publish(bad, {}));
  expect(unary).toBeInstanceOf(ConnectError);
  const failed = outcomes[4] as ConnectError;
  expect(failed).toBeInstanceOf(ConnectError);
  expect([failed.code, failed.rawMessage]).toEqual([
    Code.InvalidArgument,
    (unary as ConnectError).rawMessage,
  ]);
  const sequences = outcomes
    .filter((o) => !(o instanceof ConnectError))
    .map((o) => (o as { sequence: number }).sequence);
  expect(sequences.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const page = await axon.events({ limit: 100 });
  expect(page.headSequence).toBe(9);
});

test("expectedHead and idempotencyKey keep their exact semantics among coalesced calls", async () => {
  const axonId = await newAxon();
  const axon = client.axon(axonId);
  await axon.publish({ eventType: "user.message", payload: { n: "first" } });
  const ev = (payload: string) => ({ eventType: "user.message", payload: { payload } });
  const [plain1, stale, plain2, good, keyed, keyedAgain] = await Promise.all([
    outcome(axon.publish(ev("a"))),
    outcome(axon.publish({ ...ev("stale"), expectedHead: 0 })),
    outcome(axon.publish(ev("b"))),
    outcome(axon.publish({ ...ev("good"), expectedHead: 3 })),
    outcome(axon.publish({ ...ev("k"), idempotencyKey: "key-1" })),
    outcome(axon.publish({ ...ev("k"), idempotencyKey: "key-1" })),
  ]);
  // Calls are sent in call order: "a" (2), the stale one alone, "b" (3), "good" at head 3 (4), key-1 (5).
  expect(plain1).toMatchObject({ sequence: 2 });
  expect(stale).toBeInstanceOf(ConnectError);
  expect((stale as ConnectError).code).toBe(Code.FailedPrecondition);
  expect(expectedHeadMismatch(stale)).toMatchObject({ expectedHead: 0, currentHead: 2 });
  expect(plain2).toMatchObject({ sequence: 3 });
  expect(good).toMatchObject({ sequence: 4, duplicate: false });
  expect(keyed).toMatchObject({ sequence: 5, duplicate: false });
  expect(keyedAgain).toMatchObject({ sequence: 5, duplicate: true });
  expect((await axon.events({ limit: 100 })).headSequence).toBe(5);
});

test("session dies mid-flight: a keyed publish is retried safely, an unkeyed one fails UNAVAILABLE (outcome unknown)", async () => {
  const axonId = await newAxon();
  const axon = client.axon(axonId);
  observer.hold();
  const unkeyed = outcome(axon.publish({ eventType: "user.message", payload: { n: "unkeyed" } }));
  const keyed = outcome(
    axon.publish({ eventType: "user.message", payload: { n: "keyed" }, idempotencyKey: "k" }),
  );
  await vi.waitFor(() => expect(observer.held.length).toBe(2), { timeout: 10_000, interval: 5 });
  // The server goes away while both batches are at the store; its writes still complete.
  const port = server.port;
  await server.close();
  observer.release();
  server = await start(port);
  const lost = await unkeyed;
  expect(lost).toBeInstanceOf(ConnectError);
  expect((lost as ConnectError).code).toBe(Code.Unavailable);
  expect((lost as ConnectError).rawMessage).toContain("may or may not have been written");
  // The retry finds the first attempt's write through the key: same sequence, no duplicate event.
  expect(await keyed).toMatchObject({ sequence: 2, duplicate: true });
  const page = await axon.events({ limit: 10 });
  expect(page.events.map((e) => JSON.parse(e.payload as string).n)).toEqual(["unkeyed", "keyed"]);
});
