import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type RunningAxonServer, startAxonServer } from "../src/index.js";
import { type Harness, startHarness } from "./support/harness.js";

// Real @grpc/grpc-js clients against two real servers over one store: the gRPC fast path (on by
// default) and the Connect path (grpcFastPath: false). Every answer must be the same, and
// openaxon_grpc_fast_path_total says which calls the fast path served.
const PROTO = fileURLToPath(new URL("../../../proto/openaxon/v1/axon.proto", import.meta.url));

type Callback = (error: grpc.ServiceError | null, response: Record<string, unknown>) => void;
type UnaryMethod = (
  request: object,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: Callback,
) => void;
type GrpcAxonClient = grpc.Client & Record<string, UnaryMethod>;
type AxonServiceCtor = new (
  address: string,
  credentials: grpc.ChannelCredentials,
  options?: grpc.ChannelOptions,
) => GrpcAxonClient;

const definition = protoLoader.loadSync(PROTO, {
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});
const AxonServiceClient = (
  grpc.loadPackageDefinition(definition) as unknown as { openaxon: { v1: { AxonService: AxonServiceCtor } } }
).openaxon.v1.AxonService;

const clients: GrpcAxonClient[] = [];
function grpcJs(server: RunningAxonServer, options: grpc.ChannelOptions = {}): GrpcAxonClient {
  const client = new AxonServiceClient(new URL(server.url).host, grpc.credentials.createInsecure(), options);
  clients.push(client);
  return client;
}

/** How a call ended, in the terms a grpc-js user sees: status, details, trailing metadata, response. */
interface Outcome {
  code: grpc.status;
  details: string;
  trailers: Record<string, unknown>;
  response?: Record<string, unknown>;
}

function call(
  client: GrpcAxonClient,
  method: string,
  request: object,
  { key, origin, deadline }: { key?: string; origin?: string; deadline?: Date } = {},
): Promise<Outcome> {
  const metadata = new grpc.Metadata();
  // Both paths echo it (refusals too): a fixed id keeps their answers comparable.
  metadata.set("x-request-id", "fast-path-comparison");
  if (key) metadata.set("authorization", `Bearer ${key}`);
  if (origin) metadata.set("origin", origin);
  return new Promise((resolve) => {
    client[method]!.call(client, request, metadata, deadline ? { deadline } : {}, (error, response) => {
      if (error) {
        const trailers = error.metadata.getMap();
        resolve({ code: error.code, details: error.details, trailers });
      } else resolve({ code: grpc.status.OK, details: "", trailers: {}, response });
    });
  });
}

/** openaxon_grpc_fast_path_total by method. */
async function fastPathCounts(server: RunningAxonServer, key?: string): Promise<Record<string, number>> {
  const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  const text = await (await fetch(`${server.url}/metrics`, { headers })).text();
  const counts: Record<string, number> = { Publish: 0, PublishBatch: 0, CreateAxon: 0 };
  for (const match of text.matchAll(/^openaxon_grpc_fast_path_total\{method="(\w+)"\} (\d+)$/gm)) {
    counts[match[1]!] = Number(match[2]);
  }
  return counts;
}

const event = (fields: Record<string, unknown> = {}) => ({
  origin: "ORIGIN_USER_EVENT",
  source: "grpc-js",
  eventType: "user.message",
  payload: '{"text":"hi"}',
  ...fields,
});
const UNKNOWN_AXON = "axn_01kxxxxxxxxxxxxxxxxxxxxxxx";

afterAll(() => {
  for (const client of clients) client.close();
});

describe("keyless loopback", () => {
  let h: Harness;
  let connectPath: RunningAxonServer;
  let fast: GrpcAxonClient;
  let slow: GrpcAxonClient;
  let axonId: string;

  beforeAll(async () => {
    h = await startHarness();
    connectPath = await startAxonServer({ store: h.store, host: "127.0.0.1", port: 0, grpcFastPath: false });
    fast = grpcJs(h.server);
    slow = grpcJs(connectPath);
    axonId = (await h.client.createAxon({ name: "fast" })).axon!.id;
  });
  afterAll(async () => {
    await connectPath.close();
    await h.close();
  });

  test("Publish, PublishBatch and CreateAxon succeed on the fast path, with Connect's answers", async () => {
    const before = await fastPathCounts(h.server);
    const viaConnect = await call(slow, "publish", { axonId, ...event() });
    const viaFast = await call(fast, "publish", { axonId, ...event() });
    expect(viaFast.code).toBe(grpc.status.OK);
    expect(Number(viaFast.response!.sequence)).toBe(Number(viaConnect.response!.sequence) + 1);
    expect({ ...viaFast.response, sequence: 0, timestampMs: 0 }).toEqual({
      ...viaConnect.response,
      sequence: 0,
      timestampMs: 0,
    });

    const events = [event(), event({ origin: "ORIGIN_AGENT_EVENT", eventType: "turn.message_chunk" })];
    const batchConnect = await call(slow, "publishBatch", { axonId, events });
    const batchFast = await call(fast, "publishBatch", { axonId, events });
    expect(batchFast.response).toMatchObject({
      firstSequence: String(Number(batchConnect.response!.lastSequence) + 1),
      lastSequence: String(Number(batchConnect.response!.lastSequence) + 2),
      duplicate: false,
    });

    const keyed = { axonId, events, idempotencyKey: "once" };
    const original = await call(slow, "publishBatch", keyed);
    const repeated = await call(fast, "publishBatch", keyed);
    expect(repeated.response).toEqual({ ...original.response, duplicate: true });

    const labels = { "team.name": "core", "1": "numeric keys first", z: "last" };
    const created = await call(fast, "createAxon", { name: "made fast", labels });
    const axon = created.response!.axon as Record<string, unknown>;
    expect(axon).toMatchObject({ name: "made fast", headSequence: "0", labels });
    const stored = await call(slow, "getAxon", { id: axon.id });
    expect(stored.response!.axon).toEqual(axon);

    const after = await fastPathCounts(h.server);
    expect(after).toEqual({
      Publish: before.Publish! + 1,
      PublishBatch: before.PublishBatch! + 2,
      CreateAxon: before.CreateAxon! + 1,
    });
  });

  test.each<[string, string, () => object]>([
    ["Publish: no origin (INVALID_ARGUMENT)", "publish", () => ({ axonId, ...event({ origin: 0 }) })],
    [
      "Publish: payload not JSON (INVALID_ARGUMENT)",
      "publish",
      () => ({ axonId, ...event({ payload: "{" }) }),
    ],
    ["Publish: malformed axon id (INVALID_ARGUMENT)", "publish", () => ({ ...event(), axonId: "nope" })],
    ["Publish: unknown axon (NOT_FOUND)", "publish", () => ({ ...event(), axonId: UNKNOWN_AXON })],
    [
      "Publish: expected_head behind (FAILED_PRECONDITION, with details)",
      "publish",
      () => ({ axonId, ...event(), expectedHead: "0" }),
    ],
    [
      "Publish: SYSTEM origin (PERMISSION_DENIED)",
      "publish",
      () => ({ axonId, ...event({ origin: "ORIGIN_SYSTEM_EVENT" }) }),
    ],
    ["PublishBatch: no events (INVALID_ARGUMENT)", "publishBatch", () => ({ axonId, events: [] })],
    [
      "PublishBatch: 1,001 events (INVALID_ARGUMENT)",
      "publishBatch",
      () => ({ axonId, events: Array.from({ length: 1001 }, () => event()) }),
    ],
    [
      "PublishBatch: one bad event type (INVALID_ARGUMENT, names it)",
      "publishBatch",
      () => ({ axonId, events: [event(), event({ eventType: "no spaces" })] }),
    ],
    [
      "PublishBatch: one payload with a trailing comma (INVALID_ARGUMENT, names it)",
      "publishBatch",
      () => ({ axonId, events: [event(), event({ payload: '{"a":1,}' })] }),
    ],
    [
      "PublishBatch: a non-ASCII payload, then text after the JSON (INVALID_ARGUMENT, names it)",
      "publishBatch",
      () => ({ axonId, events: [event({ payload: '{"é":[1,2]}' }), event({ payload: "[1] 2" })] }),
    ],
    [
      "PublishBatch: unknown axon (NOT_FOUND)",
      "publishBatch",
      () => ({ axonId: UNKNOWN_AXON, events: [event()] }),
    ],
    [
      "PublishBatch: expected_head behind (FAILED_PRECONDITION, with details)",
      "publishBatch",
      () => ({ axonId, events: [event()], expectedHead: "0" }),
    ],
    [
      "PublishBatch: idempotency key too long (INVALID_ARGUMENT)",
      "publishBatch",
      () => ({ axonId, events: [event()], idempotencyKey: "k".repeat(257) }),
    ],
    ["CreateAxon: bad label key (INVALID_ARGUMENT)", "createAxon", () => ({ labels: { "a b": "c" } })],
    ["CreateAxon: name too long (INVALID_ARGUMENT)", "createAxon", () => ({ name: "n".repeat(257) })],
  ])("%s: the same error from both paths, nothing written", async (_, method, request) => {
    const head = (await h.client.getAxon({ id: axonId })).axon!.headSequence;
    const axons = (await h.client.listAxons({})).axons.length;
    const before = await fastPathCounts(h.server);
    const viaConnect = await call(slow, method, request());
    const viaFast = await call(fast, method, request());
    expect(viaConnect.code).not.toBe(grpc.status.OK);
    expect(viaFast).toEqual(viaConnect);
    const rpc = method[0]!.toUpperCase() + method.slice(1);
    expect((await fastPathCounts(h.server))[rpc]).toBe(before[rpc]! + 1);
    expect((await h.client.getAxon({ id: axonId })).axon!.headSequence).toBe(head);
    expect((await h.client.listAxons({})).axons.length).toBe(axons);
  });

  test("calls with a deadline or compressed messages take the full path and still succeed", async () => {
    const before = await fastPathCounts(h.server);
    const deadline = new Date(Date.now() + 30_000);
    const withDeadline = await call(fast, "publish", { axonId, ...event() }, { deadline });
    expect(withDeadline.code).toBe(grpc.status.OK);
    const batchWithDeadline = await call(fast, "publishBatch", { axonId, events: [event()] }, { deadline });
    expect(batchWithDeadline.code).toBe(grpc.status.OK);

    const gzip = grpcJs(h.server, { "grpc.default_compression_algorithm": grpc.compressionAlgorithms.gzip });
    const compressed = await call(gzip, "publishBatch", { axonId, events: [event(), event()] });
    expect(compressed.code).toBe(grpc.status.OK);
    const compressedCreate = await call(gzip, "createAxon", { name: "gzip" });
    expect(compressedCreate.code).toBe(grpc.status.OK);
    expect(await fastPathCounts(h.server)).toEqual(before);
  });

  test("a refused Host or Origin gets the full path's refusal, the same from both servers", async () => {
    const before = await fastPathCounts(h.server);
    for (const [method, request] of [
      ["publish", { axonId, ...event() }],
      ["publishBatch", { axonId, events: [event()] }],
      ["createAxon", { name: "rebound" }],
    ] as const) {
      const rebound = { "grpc.default_authority": "attacker.example" };
      const viaConnect = await call(grpcJs(connectPath, rebound), method, request);
      const viaFast = await call(grpcJs(h.server, rebound), method, request);
      expect(viaConnect.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(viaFast).toEqual(viaConnect);
      const origin = "https://attacker.example";
      const crossConnect = await call(slow, method, request, { origin });
      const crossFast = await call(fast, method, request, { origin });
      expect(crossConnect.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(crossFast).toEqual(crossConnect);
    }
    expect(await fastPathCounts(h.server)).toEqual(before);
  });
});

describe("with API keys", () => {
  const apiKeys = [
    { key: "key-publish", scopes: ["publish" as const] },
    { key: "key-read", scopes: ["read" as const] },
    { key: "key-agent", scopes: ["agent" as const] },
  ];
  let h: Harness;
  let connectPath: RunningAxonServer;
  let fast: GrpcAxonClient;
  let slow: GrpcAxonClient;
  let axonId: string;

  beforeAll(async () => {
    h = await startHarness({ apiKeys });
    connectPath = await startAxonServer({
      store: h.store,
      host: "127.0.0.1",
      port: 0,
      apiKeys,
      grpcFastPath: false,
    });
    fast = grpcJs(h.server);
    slow = grpcJs(connectPath);
    axonId = (await h.clientFor("grpc-h2", "key-publish").createAxon({})).axon!.id;
  });
  afterAll(async () => {
    await connectPath.close();
    await h.close();
  });

  test.each<[string, string | undefined, grpc.status, boolean]>([
    ["no key", undefined, grpc.status.UNAUTHENTICATED, false],
    ["a wrong key", "nope", grpc.status.UNAUTHENTICATED, false],
    ["a read-only key", "key-read", grpc.status.PERMISSION_DENIED, true],
    ["an agent key (USER events, CreateAxon)", "key-agent", grpc.status.PERMISSION_DENIED, true],
  ])("%s: the same refusal from both paths", async (_, key, code, fastPathAnswers) => {
    const before = await fastPathCounts(h.server, "key-read");
    for (const [method, request] of [
      ["publish", { axonId, ...event() }],
      ["publishBatch", { axonId, events: [event()] }],
      ["createAxon", { name: "scoped" }],
    ] as const) {
      const viaConnect = await call(slow, method, request, { key });
      const viaFast = await call(fast, method, request, { key });
      expect(viaConnect.code).toBe(code);
      expect(viaFast).toEqual(viaConnect);
    }
    // Refused keys are answered by the full path (before any body is read); scopes by the fast path.
    const after = await fastPathCounts(h.server, "key-read");
    const n = fastPathAnswers ? 1 : 0;
    expect(after).toEqual({
      Publish: before.Publish! + n,
      PublishBatch: before.PublishBatch! + n,
      CreateAxon: before.CreateAxon! + n,
    });
  });

  test("a publish key publishes and creates on the fast path", async () => {
    const before = await fastPathCounts(h.server, "key-read");
    const published = await call(fast, "publish", { axonId, ...event() }, { key: "key-publish" });
    expect(published.response).toMatchObject({ duplicate: false });
    const batch = await call(fast, "publishBatch", { axonId, events: [event()] }, { key: "key-publish" });
    expect(batch.code).toBe(grpc.status.OK);
    const created = await call(fast, "createAxon", { name: "keyed" }, { key: "key-publish" });
    expect(created.code).toBe(grpc.status.OK);
    const agent = await call(
      fast,
      "publish",
      { axonId, ...event({ origin: "ORIGIN_AGENT_EVENT" }) },
      { key: "key-agent" },
    );
    expect(agent.code).toBe(grpc.status.OK);
    const after = await fastPathCounts(h.server, "key-read");
    expect(after).toEqual({
      Publish: before.Publish! + 2,
      PublishBatch: before.PublishBatch! + 1,
      CreateAxon: before.CreateAxon! + 1,
    });
  });
});
