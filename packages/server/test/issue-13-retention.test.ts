import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { seededRng } from "@openaxon/core";
import { ManualClock } from "@openaxon/core/testing";
import { AxonFullSchema, AxonService, EventsTrimmedSchema, Origin } from "@openaxon/protocol";
import { openClassicLevelLogStore, storedEventBytes } from "@openaxon/store";
import { afterEach, describe, expect, it } from "vitest";
import { startAxonServer } from "../src/index.js";

const event = (n: number, pad = 0) => ({
  origin: Origin.USER_EVENT,
  source: "t",
  eventType: "user.message",
  payload: JSON.stringify({ n, pad: "x".repeat(pad) }),
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: unknown) => ConnectError.from(error),
  );

/** Bytes of every file under `dir`, as du counts them (allocated blocks). */
async function diskUsage(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await diskUsage(path);
    else total += (await stat(path)).blocks * 512;
  }
  return total;
}

// Issue 13 item 6: an axon only grew; no retention, no cap, and deleting freed no disk.
describe("issue 13: retention and caps on a real server and classic-level", () => {
  let cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const fn of cleanup.reverse()) await fn();
    cleanup = [];
  });

  async function start(options: { maxAxonBytes?: number; dir?: string } = {}) {
    const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "openaxon-retention-")));
    if (!options.dir) cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const clock = new ManualClock();
    const store = await openClassicLevelLogStore({
      path: join(dir, "db"),
      clock,
      rng: seededRng(1),
      ...(options.maxAxonBytes !== undefined && { maxAxonBytes: options.maxAxonBytes }),
    });
    const server = await startAxonServer({ store, host: "127.0.0.1", port: 0 });
    const stop = async () => {
      await server.close();
      await store.close();
    };
    cleanup.push(stop);
    const grpc = createGrpcTransport({ baseUrl: server.url });
    const connect = createConnectTransport({ baseUrl: server.url, httpVersion: "2" });
    return { dir, clock, store, server, stop, grpc, connect, client: createClient(AxonService, grpc) };
  }

  function trimmedDetail(error: ConnectError) {
    const [detail] = error.findDetails(EventsTrimmedSchema);
    return detail;
  }

  it("max_events: GetAxon shows first_sequence and retention; reads below it are OUT_OF_RANGE with the first available sequence", async () => {
    const { store, client, connect } = await start();
    const { axon } = await client.createAxon({ name: "r", retention: { maxEvents: 3n } });
    expect(axon).toMatchObject({
      firstSequence: 1n,
      retention: { maxEvents: 3n, maxAgeMs: 0n, maxBytes: 0n },
    });
    const axonId = axon!.id;
    for (let n = 1; n <= 10; n++) await client.publish({ axonId, ...event(n) });
    await store.applyRetention();
    const { axon: trimmed } = await client.getAxon({ id: axonId });
    expect(trimmed).toMatchObject({ headSequence: 10n, firstSequence: 8n });

    const all = await client.listEvents({ axonId });
    expect(all.events.map((e) => e.sequence)).toEqual([8n, 9n, 10n]);
    expect((await client.listEvents({ axonId, afterSequence: 7n })).events).toHaveLength(3);

    for (const transport of [client, createClient(AxonService, connect)]) {
      const error = await failure(transport.listEvents({ axonId, afterSequence: 2n }));
      expect(error.code).toBe(Code.OutOfRange);
      expect(error.rawMessage).toMatch(/first available sequence is 8.*after_sequence=7/);
      expect(trimmedDetail(error)).toMatchObject({
        axonId,
        firstSequence: 8n,
        headSequence: 10n,
        requestedSequence: 3n,
      });
    }
    const descending = await failure(client.listEvents({ axonId, afterSequence: 8n, descending: true }));
    expect(descending.code).toBe(Code.OutOfRange);

    // Subscribe below the line: OUT_OF_RANGE on the gRPC fast path and on Connect.
    for (const transport of [client, createClient(AxonService, connect)]) {
      const error = await failure(
        (async () => {
          for await (const _ of transport.subscribe({ axonId, afterSequence: 1n })) {
            // nothing may arrive before the error
            throw new Error("a frame arrived for a trimmed range");
          }
        })(),
      );
      expect(error.code).toBe(Code.OutOfRange);
      expect(trimmedDetail(error)?.firstSequence).toBe(8n);
    }
    // Sequences are never reused.
    expect((await client.publish({ axonId, ...event(11) })).sequence).toBe(11n);
  });

  it("ends an attached subscriber whose next event is trimmed with OUT_OF_RANGE, after a gap-free prefix", async () => {
    const { store, client } = await start();
    const { axon } = await client.createAxon({ name: "slow" });
    const axonId = axon!.id;
    for (let b = 0; b < 20; b++) {
      await client.publishBatch({
        axonId,
        events: Array.from({ length: 1000 }, (_, i) => event(b * 1000 + i, 50)),
      });
    }
    const seen: bigint[] = [];
    const stream = client.subscribe({ axonId })[Symbol.asyncIterator]();
    const first = await stream.next();
    const firstKind = first.value?.kind;
    expect(firstKind?.case).toBe("events");
    if (firstKind?.case === "events")
      seen.push(...firstKind.value.events.map((e: { sequence: bigint }) => e.sequence));
    await client.updateAxon({
      id: axonId,
      retention: { maxEvents: 10n },
      updateMask: { paths: ["retention"] },
    });
    expect((await store.applyRetention()).eventsTrimmed).toBe(19_990);
    const error = await failure(
      (async () => {
        for (;;) {
          const next = await stream.next();
          if (next.done) throw new Error("the stream ended without an error");
          if (next.value.kind.case === "events")
            seen.push(...next.value.kind.value.events.map((e) => e.sequence));
          if (next.value.kind.case === "caughtUp") throw new Error("caught up across a trimmed range");
        }
      })(),
    );
    expect(error.code).toBe(Code.OutOfRange);
    expect(trimmedDetail(error)?.firstSequence).toBe(19_991n);
    // What arrived before the error is 1..k with no gap: nothing was skipped silently.
    expect(seen).toEqual(seen.map((_, i) => BigInt(i + 1)));
    expect(seen.length).toBeLessThan(19_991);
  });

  it("max_age on the store's clock, down to an empty axon whose first_sequence is head + 1", async () => {
    const { clock, store, client } = await start();
    const { axon } = await client.createAxon({ name: "aging", retention: { maxAgeMs: 5000n } });
    const axonId = axon!.id;
    for (let n = 1; n <= 3; n++) await client.publish({ axonId, ...event(n) });
    clock.advance(10_000);
    for (let n = 4; n <= 5; n++) await client.publish({ axonId, ...event(n) });
    await store.applyRetention();
    expect((await client.getAxon({ id: axonId })).axon).toMatchObject({
      firstSequence: 4n,
      headSequence: 5n,
    });
    clock.advance(5000);
    await store.applyRetention();
    // Exactly max_age old stays.
    expect((await client.getAxon({ id: axonId })).axon?.firstSequence).toBe(4n);
    clock.advance(1);
    await store.applyRetention();
    expect((await client.getAxon({ id: axonId })).axon).toMatchObject({
      firstSequence: 6n,
      headSequence: 5n,
    });
    expect(await client.listEvents({ axonId })).toMatchObject({ events: [], headSequence: 5n });
    expect((await client.listEvents({ axonId, descending: true })).events).toEqual([]);
    expect((await failure(client.listEvents({ axonId, afterSequence: 4n }))).code).toBe(Code.OutOfRange);
    expect((await client.publish({ axonId, ...event(6) })).sequence).toBe(6n);
  });

  it("max_bytes counts stored bytes; UpdateAxon needs a mask and changes single limits", async () => {
    const { store, client } = await start();
    const { axon } = await client.createAxon({ name: "bytes" });
    const axonId = axon!.id;
    const size = storedEventBytes(event(1, 100));
    for (let n = 1; n <= 10; n++) await client.publish({ axonId, ...event(n, 100) });

    const noMask = await failure(client.updateAxon({ id: axonId, name: "x" }));
    expect(noMask.code).toBe(Code.InvalidArgument);
    expect(noMask.rawMessage).toMatch(/update_mask is required/);
    const badPath = await failure(
      client.updateAxon({ id: axonId, updateMask: { paths: ["head_sequence"] } }),
    );
    expect(badPath.code).toBe(Code.InvalidArgument);
    const unknown = await failure(
      client.updateAxon({ id: "axn_01jz0000000000000000000000", name: "x", updateMask: { paths: ["name"] } }),
    );
    expect(unknown.code).toBe(Code.NotFound);

    const { axon: updated } = await client.updateAxon({
      id: axonId,
      name: "renamed",
      labels: { team: "a" },
      // 7..10 (event 10's payload is one byte longer): the newest four fit exactly.
      retention: { maxBytes: BigInt(size * 4 + 1), maxEvents: 999n },
      // Only max_bytes: the max_events in the message is ignored.
      updateMask: { paths: ["name", "labels", "retention.max_bytes"] },
    });
    expect(updated).toMatchObject({
      name: "renamed",
      labels: { team: "a" },
      retention: { maxBytes: BigInt(size * 4 + 1), maxEvents: 0n },
      headSequence: 10n,
    });
    await store.applyRetention();
    expect((await client.getAxon({ id: axonId })).axon?.firstSequence).toBe(7n);
    // Clearing the retention keeps the line where it is.
    const { axon: cleared } = await client.updateAxon({ id: axonId, updateMask: { paths: ["retention"] } });
    expect(cleared?.retention).toBeUndefined();
    expect(cleared?.firstSequence).toBe(7n);
  });

  it("the per-axon cap answers RESOURCE_EXHAUSTED with AxonFull, and the log is unchanged", async () => {
    const size = storedEventBytes(event(1, 100));
    const { client, store } = await start({ maxAxonBytes: size * 5 });
    const { axon } = await client.createAxon({ name: "capped" });
    const axonId = axon!.id;
    for (let n = 1; n <= 5; n++) await client.publish({ axonId, ...event(n, 100) });
    const error = await failure(client.publish({ axonId, ...event(6, 100) }));
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.rawMessage).toMatch(/per-axon cap of \d+ bytes; nothing was written/);
    expect(error.findDetails(AxonFullSchema)[0]).toMatchObject({
      axonId,
      sizeBytes: BigInt(size * 5),
      incomingBytes: BigInt(size),
      limitBytes: BigInt(size * 5),
    });
    const batch = await failure(client.publishBatch({ axonId, events: [event(6, 100), event(7, 100)] }));
    expect(batch.code).toBe(Code.ResourceExhausted);
    // An append session gets a per-batch AppendError with the detail and goes on.
    const responses = [];
    for await (const response of client.append(
      (async function* () {
        yield { batchId: 1n, axonId, events: [event(6, 100)] };
      })(),
    )) {
      responses.push(response);
    }
    expect(responses[0]?.result).toMatchObject({
      case: "error",
      value: { code: Code.ResourceExhausted, axonFull: { limitBytes: BigInt(size * 5) } },
    });
    expect((await client.getAxon({ id: axonId })).axon?.headSequence).toBe(5n);
    expect((await client.listEvents({ axonId })).events).toHaveLength(5);
    // Retention makes room again.
    await client.updateAxon({
      id: axonId,
      retention: { maxEvents: 2n },
      updateMask: { paths: ["retention"] },
    });
    await store.applyRetention();
    expect((await client.publish({ axonId, ...event(6, 100) })).sequence).toBe(6n);
  });

  it("keeps first_sequence across a restart, and deleting an axon gives its disk back", async () => {
    const dir = await mkdtemp(join(tmpdir(), "openaxon-retention-"));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const first = await start({ dir });
    const { axon } = await first.client.createAxon({ name: "kept", retention: { maxEvents: 100n } });
    const keptId = axon!.id;
    await first.client.publishBatch({
      axonId: keptId,
      events: Array.from({ length: 300 }, (_, i) => event(i)),
    });
    await first.store.applyRetention();
    // A second axon of ~8 MB of incompressible payloads (LevelDB compresses), deleted after the restart.
    const { axon: big } = await first.client.createAxon({ name: "big" });
    for (let b = 0; b < 40; b++) {
      await first.client.publishBatch({
        axonId: big!.id,
        events: Array.from({ length: 200 }, (_, i) => ({
          ...event(b * 200 + i),
          payload: JSON.stringify({ noise: randomBytes(500).toString("hex") }),
        })),
      });
    }
    await first.stop();

    const second = await start({ dir });
    expect((await second.client.getAxon({ id: keptId })).axon).toMatchObject({
      firstSequence: 201n,
      headSequence: 300n,
      retention: { maxEvents: 100n },
    });
    expect((await failure(second.client.listEvents({ axonId: keptId, afterSequence: 10n }))).code).toBe(
      Code.OutOfRange,
    );
    expect((await second.client.publish({ axonId: keptId, ...event(301) })).sequence).toBe(301n);

    const before = await diskUsage(dir);
    await second.client.deleteAxon({ id: big!.id });
    // The purge runs in the background; a retention pass waits for it (and would finish it).
    await second.store.applyRetention();
    const after = await diskUsage(dir);
    expect(before).toBeGreaterThan(8_000_000);
    expect(before - after).toBeGreaterThan(7_000_000);
    expect((await second.client.getAxon({ id: keptId })).axon?.headSequence).toBe(301n);
    expect((await failure(second.client.getAxon({ id: big!.id }))).code).toBe(Code.NotFound);
  });
});
