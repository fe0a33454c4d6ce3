import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { seededRng, systemClock } from "@openaxon/core";
import { AxonService, Origin, SqlService } from "@openaxon/protocol";
import { KvLogStore, MemoryBackend } from "@openaxon/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningAxonServer, startAxonServer } from "../src/index.js";

// A server with no SQL databases to offer but a reason (axond in cluster mode, issue 15).
const reason = "SQL databases are per node and are not available with --store jetstream";
let store: KvLogStore;
let server: RunningAxonServer;

beforeAll(async () => {
  store = new KvLogStore({ backend: new MemoryBackend(), clock: systemClock, rng: seededRng(15) });
  server = await startAxonServer({
    store,
    sqlRefusal: reason,
    host: "127.0.0.1",
    port: 0,
    apiKeys: [
      { key: "all", scopes: ["read", "publish", "agent", "admin"] },
      { key: "reader", scopes: ["read"] },
    ],
  });
});
afterAll(async () => {
  await server.close();
  await store.close();
});

function clients(key: string) {
  const auth: Interceptor = (next) => (request) => {
    request.header.set("authorization", `Bearer ${key}`);
    return next(request);
  };
  const transport = createGrpcTransport({ baseUrl: server.url, interceptors: [auth] });
  return { axons: createClient(AxonService, transport), sql: createClient(SqlService, transport) };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error) => ConnectError.from(error),
  );

describe("issue 15: SqlService refused with a reason", () => {
  it("answers Query and Batch FAILED_PRECONDITION with the reason, after authentication, and leaves the log alone", async () => {
    const { axons, sql } = clients("all");
    const { axon } = await axons.createAxon({ name: "no-sql" });
    const axonId = axon!.id;
    await axons.publish({ axonId, origin: Origin.USER_EVENT, source: "t", eventType: "e", payload: "{}" });
    const query = await failure(sql.query({ axonId, sql: "CREATE TABLE t (x)" }));
    expect(query.code).toBe(Code.FailedPrecondition);
    expect(query.rawMessage).toBe(reason);
    const batch = await failure(sql.batch({ axonId, statements: [{ sql: "SELECT 1" }] }));
    expect(batch.code).toBe(Code.FailedPrecondition);
    expect(batch.rawMessage).toBe(reason);
    const read = await failure(clients("reader").sql.query({ axonId, sql: "SELECT 1" }));
    expect(read.code).toBe(Code.FailedPrecondition);
    expect((await failure(clients("nobody").sql.query({ axonId, sql: "SELECT 1" }))).code).toBe(
      Code.Unauthenticated,
    );
    expect((await axons.getAxon({ id: axonId })).axon?.headSequence).toBe(1n);
  });
});
