import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, startHarness } from "./support/harness.js";

// The public contract straight from the .proto: no generated code, no SDK.
const PROTO = fileURLToPath(new URL("../../../proto/openaxon/v1/axon.proto", import.meta.url));
const API_KEY = "interop-key";

type Callback = (error: grpc.ServiceError | null, response: Record<string, unknown>) => void;
type UnaryMethod = (request: object, metadata: grpc.Metadata, callback: Callback) => void;
type GrpcAxonClient = grpc.Client &
  Record<string, UnaryMethod> & {
    subscribe(request: object, metadata: grpc.Metadata): grpc.ClientReadableStream<Record<string, unknown>>;
  };

let h: Harness;
let client: GrpcAxonClient;
const auth = new grpc.Metadata();
auth.set("authorization", `Bearer ${API_KEY}`);

function call(method: string, request: object, metadata = auth): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    client[method]!.call(client, request, metadata, (error, response) =>
      error ? reject(error) : resolve(response),
    );
  });
}

beforeAll(async () => {
  h = await startHarness({ apiKeys: [API_KEY] });
  const definition = protoLoader.loadSync(PROTO, {
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    openaxon: {
      v1: { AxonService: new (address: string, credentials: grpc.ChannelCredentials) => GrpcAxonClient };
    };
  };
  client = new loaded.openaxon.v1.AxonService(new URL(h.server.url).host, grpc.credentials.createInsecure());
});
afterAll(async () => {
  client?.close();
  await h.close();
});

describe("a plain @grpc/grpc-js client", () => {
  test("creates an axon, publishes, and subscribes through catch-up into live", async () => {
    const { axon } = (await call("createAxon", { name: "interop", labels: { via: "grpc-js" } })) as {
      axon: { id: string; headSequence: string; labels: Record<string, string> };
    };
    expect(axon).toMatchObject({ name: "interop", headSequence: "0", labels: { via: "grpc-js" } });

    const published = await call("publish", {
      axonId: axon.id,
      origin: "ORIGIN_USER_EVENT",
      source: "grpc-js",
      eventType: "user.message",
      payload: '{"content":"hello"}',
    });
    expect(published).toMatchObject({ sequence: "1", duplicate: false });

    const stream = client.subscribe({ axonId: axon.id, afterSequence: "0" }, auth);
    const frames: Record<string, unknown>[] = [];
    const seen = new Promise<void>((resolve, reject) => {
      stream.on("data", (frame: Record<string, unknown>) => {
        frames.push(frame);
        if (frame.kind === "caughtUp") {
          call("publish", {
            axonId: axon.id,
            origin: "ORIGIN_AGENT_EVENT",
            source: "grpc-js",
            eventType: "turn.message_chunk",
            payload: '{"text":"hi"}',
          }).catch(reject);
        }
        const events = frames.flatMap((f) =>
          f.kind === "events" ? (f.events as { events: unknown[] }).events : [],
        );
        if (events.length === 2) resolve();
      });
      stream.on("error", (error: grpc.ServiceError) => {
        if (error.code !== grpc.status.CANCELLED) reject(error);
      });
    });
    await seen;
    stream.cancel();

    expect(frames.map((f) => f.kind)).toEqual(["events", "caughtUp", "events"]);
    expect(frames[0]!.events).toMatchObject({
      events: [
        {
          sequence: "1",
          axonId: axon.id,
          origin: "ORIGIN_USER_EVENT",
          payload: '{"content":"hello"}',
        },
      ],
    });
    expect(frames[1]!.caughtUp).toEqual({ headSequence: "1" });
    expect(frames[2]!.events).toMatchObject({
      events: [{ sequence: "2", origin: "ORIGIN_AGENT_EVENT", eventType: "turn.message_chunk" }],
    });
  });

  test("gets gRPC status codes: UNAUTHENTICATED without a key, PERMISSION_DENIED for SYSTEM origin", async () => {
    await expect(call("listAxons", {}, new grpc.Metadata())).rejects.toMatchObject({
      code: grpc.status.UNAUTHENTICATED,
    });
    const { axon } = (await call("createAxon", {})) as { axon: { id: string } };
    await expect(
      call("publish", {
        axonId: axon.id,
        origin: "ORIGIN_SYSTEM_EVENT",
        source: "grpc-js",
        eventType: "turn.started",
        payload: "{}",
      }),
    ).rejects.toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
      details: expect.stringContaining("reserved"),
    });
  });
});

describe("a Connect-protocol JSON request with plain fetch", () => {
  const post = (method: string, body: unknown) =>
    fetch(`${h.server.url}/openaxon.v1.AxonService/${method}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${API_KEY}` },
      body: JSON.stringify(body),
    });

  test("publishes and reads back", async () => {
    const created = await post("CreateAxon", { name: "fetch" });
    expect(created.status).toBe(200);
    const { axon } = (await created.json()) as { axon: { id: string } };

    const published = await post("Publish", {
      axonId: axon.id,
      origin: "ORIGIN_EXTERNAL_EVENT",
      source: "webhook",
      eventType: "ci.finished",
      payload: '{"ok":true}',
    });
    expect(published.status).toBe(200);
    expect(published.headers.get("content-type")).toBe("application/json");
    expect(await published.json()).toMatchObject({
      sequence: "1",
      timestampMs: expect.stringMatching(/^\d+$/),
    });

    const listed = (await (await post("ListEvents", { axonId: axon.id })).json()) as Record<string, unknown>;
    expect(listed).toMatchObject({
      events: [
        { sequence: "1", origin: "ORIGIN_EXTERNAL_EVENT", eventType: "ci.finished", payload: '{"ok":true}' },
      ],
      headSequence: "1",
    });
  });

  test("errors come back as Connect JSON errors with the right code", async () => {
    const missing = await post("Publish", {
      axonId: "axn_0000000000zzzzzzzzzzzzzzzz",
      origin: "ORIGIN_USER_EVENT",
      source: "fetch",
      eventType: "user.message",
      payload: "{}",
    });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      code: "not_found",
      message: expect.stringContaining("not found"),
    });

    const { axon } = (await (await post("CreateAxon", {})).json()) as { axon: { id: string } };
    const badJson = await post("Publish", {
      axonId: axon.id,
      origin: "ORIGIN_USER_EVENT",
      source: "fetch",
      eventType: "user.message",
      payload: "{not json}",
    });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({
      code: "invalid_argument",
      message: expect.stringContaining("line 1, column 2"),
    });

    const mismatch = await post("Publish", {
      axonId: axon.id,
      origin: "ORIGIN_USER_EVENT",
      source: "fetch",
      eventType: "user.message",
      payload: "{}",
      expectedHead: "3",
    });
    expect(mismatch.status).toBe(400);
    expect(await mismatch.json()).toMatchObject({
      code: "failed_precondition",
      details: [expect.objectContaining({ type: "openaxon.v1.ExpectedHeadMismatch" })],
    });

    const unauthenticated = await fetch(`${h.server.url}/openaxon.v1.AxonService/ListAxons`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(unauthenticated.status).toBe(401);
    expect(await unauthenticated.json()).toMatchObject({ code: "unauthenticated" });
  });
});
