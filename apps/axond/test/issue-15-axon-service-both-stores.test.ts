import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { AxonService, ExpectedHeadMismatchSchema, Origin } from "@openaxon/protocol";
import { type RunningAxonServer, startAxonServer } from "@openaxon/server";
import { type LogStore, openClassicLevelLogStore, type RecordStore } from "@openaxon/store";
import { openJetStreamLogStore } from "@openaxon/store-jetstream";
import { type NatsCluster, startNatsCluster } from "@openaxon/store-jetstream/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// One AxonService suite over real ports, run on both stores (issue 15): the embedded
// classic-level store behind one server, and JetStream (R=3 on a real 3-node cluster) behind two
// servers whose stores first connect to different nodes. Calls alternate between the servers, so
// on JetStream what one node acknowledged is read, subscribed and retried through the other.

type Client = ReturnType<typeof createClient<typeof AxonService>>;

interface Backend {
  /** One server per node; the embedded store has one. */
  readonly urls: readonly string[];
  close(): Promise<void>;
}

const event = (payload: unknown) => ({
  origin: Origin.USER_EVENT,
  source: "test",
  eventType: "user.message",
  payload: JSON.stringify(payload),
});

async function serve(stores: ReadonlyArray<LogStore & RecordStore>): Promise<RunningAxonServer[]> {
  return Promise.all(stores.map((store) => startAxonServer({ store, host: "127.0.0.1", port: 0 })));
}

async function classicLevelBackend(): Promise<Backend> {
  const dir = await mkdtemp(join(tmpdir(), "axond-both-stores-"));
  const store = await openClassicLevelLogStore({ path: join(dir, "log") });
  const servers = await serve([store]);
  return {
    urls: servers.map((s) => s.url),
    async close() {
      await Promise.all(servers.map((s) => s.close()));
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function jetStreamBackend(): Promise<Backend> {
  const cluster: NatsCluster = await startNatsCluster(3);
  const [u1, u2, u3] = cluster.urls;
  const open = (servers: string[]) =>
    openJetStreamLogStore({ servers, connection: { noRandomize: true }, requestTimeoutMs: 5000 });
  const stores = [await open([u1!, u2!, u3!]), await open([u2!, u3!, u1!])];
  const servers = await serve(stores);
  return {
    urls: servers.map((s) => s.url),
    async close() {
      await Promise.all(servers.map((s) => s.close()));
      await Promise.all(stores.map((s) => s.close()));
      await cluster.stop();
    },
  };
}

async function failure(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("expected the call to fail");
}

function describeAxonService(name: string, start: () => Promise<Backend>): void {
  describe(`AxonService on ${name}`, () => {
    let backend: Backend;
    let clients: Client[];
    beforeAll(async () => {
      backend = await start();
      clients = backend.urls.map((baseUrl) => createClient(AxonService, createGrpcTransport({ baseUrl })));
    }, 90_000);
    afterAll(async () => {
      await backend?.close();
    }, 60_000);
    /** The n-th server (wrapping): on JetStream, 0 and 1 are different nodes. */
    const via = (n: number) => clients[n % clients.length]!;
    const newAxon = async (label = "t") => (await via(0).createAxon({ name: label })).axon!.id;

    it("creates, gets, lists and deletes an axon, seen alike through every server", async () => {
      const { axon } = await via(0).createAxon({ name: "both-a", labels: { team: "x" } });
      expect((await via(1).getAxon({ id: axon!.id })).axon).toMatchObject({
        name: "both-a",
        labels: { team: "x" },
        headSequence: 0n,
      });
      const listed = await via(1).listAxons({ namePrefix: "both-" });
      expect(listed.axons.map((a) => a.id)).toContain(axon!.id);
      await via(1).deleteAxon({ id: axon!.id });
      expect((await failure(via(0).getAxon({ id: axon!.id }))).code).toBe(Code.NotFound);
      expect((await failure(via(0).publish({ axonId: axon!.id, ...event(1) }))).code).toBe(Code.NotFound);
      expect((await failure(via(1).getAxon({ id: "not an id" }))).code).toBe(Code.InvalidArgument);
    }, 60_000);

    it("concurrent publishes through both servers get 1..N; ListEvents pages both ways", async () => {
      const axonId = await newAxon();
      const acks = await Promise.all(
        Array.from({ length: 24 }, (_, i) => via(i).publish({ axonId, ...event({ i }) })),
      );
      const sequences = acks.map((a) => Number(a.sequence)).sort((a, b) => a - b);
      expect(sequences).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
      const page = await via(1).listEvents({ axonId, afterSequence: 0n, limit: 10 });
      expect(page.events.map((e) => Number(e.sequence))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(page.hasMore).toBe(true);
      expect(page.headSequence).toBe(24n);
      const back = await via(0).listEvents({ axonId, afterSequence: 0n, limit: 3, descending: true });
      expect(back.events.map((e) => Number(e.sequence))).toEqual([24, 23, 22]);
      // Each payload is at the sequence its publisher was told.
      const all = await via(1).listEvents({ axonId, afterSequence: 0n, limit: 100 });
      acks.forEach((ack, i) => {
        expect(JSON.parse(all.events[Number(ack.sequence) - 1]!.payload)).toEqual({ i });
      });
    }, 60_000);

    it("a batch is atomic and consecutive; expected_head mismatches say the current head and write nothing", async () => {
      const axonId = await newAxon();
      const batch = await via(0).publishBatch({
        axonId,
        events: [event(1), event(2), event(3)],
        expectedHead: 0n,
      });
      expect([batch.firstSequence, batch.lastSequence]).toEqual([1n, 3n]);
      const error = await failure(via(1).publish({ axonId, ...event(4), expectedHead: 1n }));
      expect(error.code).toBe(Code.FailedPrecondition);
      expect(error.findDetails(ExpectedHeadMismatchSchema)[0]).toMatchObject({
        expectedHead: 1n,
        currentHead: 3n,
      });
      expect((await via(0).getAxon({ id: axonId })).axon?.headSequence).toBe(3n);
      expect((await via(1).publish({ axonId, ...event(4), expectedHead: 3n })).sequence).toBe(4n);
    }, 60_000);

    it("a retry with the same idempotency key through the other server is a duplicate of the original", async () => {
      const axonId = await newAxon();
      const first = await via(0).publish({ axonId, ...event("a"), idempotencyKey: "turn-1" });
      await via(0).publish({ axonId, ...event("b") });
      const again = await via(1).publish({ axonId, ...event("a"), idempotencyKey: "turn-1" });
      expect(again).toMatchObject({ sequence: first.sequence, duplicate: true });
      const batch = await via(1).publishBatch({
        axonId,
        events: [event("c"), event("d")],
        idempotencyKey: "b-1",
      });
      const batchAgain = await via(0).publishBatch({
        axonId,
        events: [event("c"), event("d")],
        idempotencyKey: "b-1",
      });
      expect(batchAgain).toMatchObject({
        firstSequence: batch.firstSequence,
        lastSequence: batch.lastSequence,
        duplicate: true,
      });
      expect((await via(0).getAxon({ id: axonId })).axon?.headSequence).toBe(4n);
    }, 60_000);

    it("Subscribe through one server replays, says caught_up, then follows what the other publishes", async () => {
      const axonId = await newAxon();
      await via(0).publishBatch({ axonId, events: [event(1), event(2)] });
      const abort = new AbortController();
      const seen: number[] = [];
      let caughtUpAt = -1;
      const following = (async () => {
        for await (const frame of via(1).subscribe({ axonId, afterSequence: 0n }, { signal: abort.signal })) {
          if (frame.kind.case === "events")
            seen.push(...frame.kind.value.events.map((e) => Number(e.sequence)));
          if (frame.kind.case === "caughtUp") caughtUpAt = seen.length;
          if (seen.length >= 6) return;
        }
      })();
      for (let i = 3; i <= 6; i++) await via(0).publish({ axonId, ...event(i) });
      await following;
      abort.abort();
      expect(caughtUpAt).toBeGreaterThanOrEqual(2);
      expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    }, 60_000);

    it("a 4 MiB payload published through one server reads back whole through the other", async () => {
      const axonId = await newAxon();
      const payload = JSON.stringify("x".repeat(4 * 1024 * 1024 - 2));
      const { sequence } = await via(0).publish({
        axonId,
        origin: Origin.USER_EVENT,
        source: "t",
        eventType: "big",
        payload,
      });
      const { events } = await via(1).listEvents({ axonId, afterSequence: sequence - 1n, limit: 1 });
      expect(events[0]?.payload.length).toBe(payload.length);
      expect(events[0]?.payload === payload).toBe(true);
    }, 60_000);
  });
}

describeAxonService("the embedded classic-level store", classicLevelBackend);
describeAxonService("JetStream, R=3 on 3 nodes, two servers", jetStreamBackend);
