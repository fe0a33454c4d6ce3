import { Writable } from "node:stream";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { seededRng } from "@openaxon/core";
import { ManualClock } from "@openaxon/core/testing";
import { AxonService, Origin } from "@openaxon/protocol";
import { KvLogStore, type LogStore, MemoryBackend, StoreFailedError } from "@openaxon/store";
import { pino } from "pino";
import { expect, test, vi } from "vitest";
import { type AxonServiceOptions, axonRoutes } from "./axon-service.js";

const event = {
  origin: Origin.USER_EVENT,
  source: "sim",
  eventType: "user.message",
  payload: '{"content":"hi"}',
};

/** The in-process setup the simulation uses: router transport, memory store, virtual clock. */
function inProcess(options: Partial<AxonServiceOptions> & { store?: LogStore } = {}) {
  const clock = new ManualClock();
  const store = options.store ?? new KvLogStore({ backend: new MemoryBackend(), clock, rng: seededRng(7) });
  const transport = createRouterTransport(axonRoutes({ store, clock, ...options }));
  return { clock, store, client: createClient(AxonService, transport) };
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "ok",
    (error) => ConnectError.from(error).code,
  );

test("runs in-process over createRouterTransport", async () => {
  const { client } = inProcess();
  const { axon } = await client.createAxon({ name: "sim" });
  await client.publishBatch({ axonId: axon!.id, events: [event, event] });
  expect((await client.publish({ axonId: axon!.id, ...event })).sequence).toBe(3n);
  expect((await client.listEvents({ axonId: axon!.id })).events.map((e) => e.sequence)).toEqual([1n, 2n, 3n]);
  expect(await codeOf(client.publish({ axonId: axon!.id, ...event, origin: Origin.SYSTEM_EVENT }))).toBe(
    Code.PermissionDenied,
  );
});

test("heartbeats run on the injected clock", async () => {
  const { client, clock } = inProcess({ heartbeatIntervalMs: 500 });
  const { axon } = await client.createAxon({});
  const frames: string[] = [];
  const abort = new AbortController();
  const reading = (async () => {
    for await (const frame of client.subscribe({ axonId: axon!.id }, { signal: abort.signal })) {
      frames.push(frame.kind.case!);
    }
  })().catch(() => {});
  await vi.waitFor(() => expect(clock.pending).toBe(1));
  expect(frames).toEqual(["caughtUp"]);
  clock.advance(500);
  await vi.waitFor(() => expect(frames).toEqual(["caughtUp", "heartbeat"]));
  abort.abort();
  await reading;
  await vi.waitFor(() => expect(clock.pending).toBe(0));
});

test("the shutdown signal ends open streams with UNAVAILABLE", async () => {
  const shutdown = new AbortController();
  const { client } = inProcess({ shutdownSignal: shutdown.signal });
  const { axon } = await client.createAxon({});
  const stream = client.subscribe({ axonId: axon!.id })[Symbol.asyncIterator]();
  expect((await stream.next()).value?.kind.case).toBe("caughtUp");
  shutdown.abort();
  await expect(stream.next()).rejects.toMatchObject({ code: Code.Unavailable });
});

test("store failures are UNAVAILABLE; unexpected errors are INTERNAL without leaking details, and logged", async () => {
  const lines: string[] = [];
  const logger = pino(
    { level: "error" },
    new Writable({
      write(chunk, _e, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  const clock = new ManualClock();
  const real = new KvLogStore({ backend: new MemoryBackend(), clock, rng: seededRng(1) });
  let failure: Error = new StoreFailedError(new Error("EIO"));
  const store = new Proxy(real, {
    get(target, key, receiver) {
      if (key === "append") {
        return async () => {
          throw failure;
        };
      }
      return Reflect.get(target, key, receiver);
    },
  });
  const { client } = inProcess({ store, logger });
  const { axon } = await client.createAxon({});
  expect(await codeOf(client.publish({ axonId: axon!.id, ...event }))).toBe(Code.Unavailable);

  failure = new Error("cannot open /var/secret/path");
  const error = await client.publish({ axonId: axon!.id, ...event }).catch((e) => ConnectError.from(e));
  expect(error).toMatchObject({ code: Code.Internal, rawMessage: "internal error" });
  expect(lines.join("")).toContain("/var/secret/path");

  await real.close();
  expect(await codeOf(client.getAxon({ id: axon!.id }))).toBe(Code.Unavailable);
});
