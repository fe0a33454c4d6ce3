import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { NullValue } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import {
  AxonService,
  Origin,
  SqlErrorSchema,
  SqlService,
  type SqlValue,
  SqlValueSchema,
} from "@openaxon/protocol";
import { SqlDatabases } from "@openaxon/sql";
import { type KvLogStore, openClassicLevelLogStore } from "@openaxon/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningAxonServer, startAxonServer } from "../src/index.js";

let dir: string;
let store: KvLogStore;
let sqlDatabases: SqlDatabases;
let server: RunningAxonServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "openaxon-sql-server-"));
  store = await openClassicLevelLogStore({ path: join(dir, "log") });
  sqlDatabases = await SqlDatabases.open({
    dir: join(dir, "sql"),
    store,
    hosts: 1,
    limits: { statementTimeoutMs: 1_000, maxDatabaseBytes: 256 * 1024 },
  });
  server = await startAxonServer({
    store,
    sql: sqlDatabases,
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
  await sqlDatabases.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

function clients(key = "all") {
  const auth: Interceptor = (next) => (request) => {
    request.header.set("authorization", `Bearer ${key}`);
    return next(request);
  };
  const transport = createGrpcTransport({ baseUrl: server.url, interceptors: [auth] });
  return { axons: createClient(AxonService, transport), sql: createClient(SqlService, transport) };
}

const v = (kind: SqlValue["kind"]): SqlValue => create(SqlValueSchema, { kind });
const integer = (value: bigint) => v({ case: "integer", value });
const real = (value: number) => v({ case: "real", value });
const text = (value: string) => v({ case: "text", value });
const blob = (value: Uint8Array) => v({ case: "blob", value });
const nul = () => v({ case: "null", value: NullValue.NULL_VALUE });

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error) => ConnectError.from(error),
  );

describe("SqlService over gRPC on a real server (issue 12)", () => {
  it("round-trips every value type exactly", async () => {
    const { axons, sql } = clients();
    const axonId = (await axons.createAxon({})).axon!.id;
    await sql.query({ axonId, sql: "CREATE TABLE v(x)" });
    const values = [
      nul(),
      integer(2n ** 63n - 1n),
      integer(-(2n ** 63n)),
      integer(9_007_199_254_740_993n),
      real(-0),
      real(0.1),
      real(Number.POSITIVE_INFINITY),
      text(""),
      text("naïve 日本語 😀"),
      blob(new Uint8Array()),
      blob(new Uint8Array([0, 1, 255])),
    ];
    for (const value of values) await sql.query({ axonId, sql: "INSERT INTO v VALUES (?)", params: [value] });
    const result = await sql.query({ axonId, sql: "SELECT x FROM v ORDER BY rowid" });
    expect(result.rows.map((row) => row.values[0]!.kind)).toStrictEqual(values.map((value) => value.kind));
    expect(Object.is(result.rows[4]!.values[0]!.kind.value, -0)).toBe(true);

    const nan = await failure(sql.query({ axonId, sql: "SELECT ?", params: [real(Number.NaN)] }));
    expect(nan.code).toBe(Code.InvalidArgument);
    expect(nan.rawMessage).toMatch(/NaN/);
  });

  it("answers with columns, meta and SQLite's errors as INVALID_ARGUMENT with the code", async () => {
    const { axons, sql } = clients();
    const axonId = (await axons.createAxon({})).axon!.id;
    await sql.query({ axonId, sql: "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT)" });
    const insert = await sql.query({
      axonId,
      sql: "INSERT INTO t(name) VALUES (?), (?)",
      params: [text("a"), text("b")],
    });
    expect(insert.meta).toMatchObject({ changes: 2n, lastInsertRowid: 2n, rowsReadLimitReached: false });
    const select = await sql.query({
      axonId,
      sql: "SELECT id, name, 1 + 1 AS two FROM t WHERE id = ?1",
      params: [integer(2n)],
    });
    expect(select.columns.map(({ name, type }) => ({ name, type }))).toEqual([
      { name: "id", type: "INTEGER" },
      { name: "name", type: "TEXT" },
      { name: "two", type: "" },
    ]);
    expect(select.rows.map((r) => r.values.map((x) => x.kind.value))).toEqual([[2n, "b", 2n]]);

    const duplicate = await failure(sql.query({ axonId, sql: "INSERT INTO t VALUES (1, 'x')" }));
    expect(duplicate.code).toBe(Code.InvalidArgument);
    expect(duplicate.rawMessage).toBe("UNIQUE constraint failed: t.id (SQLITE_CONSTRAINT_PRIMARYKEY)");
    expect(duplicate.findDetails(SqlErrorSchema)[0]).toMatchObject({ code: "SQLITE_CONSTRAINT_PRIMARYKEY" });
    expect((await failure(sql.query({ axonId, sql: "SELECT * FROM nope" }))).rawMessage).toBe(
      "no such table: nope (SQLITE_ERROR)",
    );
    expect((await failure(sql.query({ axonId: `axn_${"0".repeat(26)}`, sql: "SELECT 1" }))).code).toBe(
      Code.NotFound,
    );
    expect((await failure(sql.query({ axonId: "../etc", sql: "SELECT 1" }))).code).toBe(Code.InvalidArgument);
  });

  it("refuses ATTACH, load_extension, VACUUM INTO, durability PRAGMAs and writing axon_events", async () => {
    const { axons, sql } = clients();
    const axonId = (await axons.createAxon({})).axon!.id;
    for (const statement of [
      "ATTACH DATABASE '/tmp/other.db' AS other",
      "SELECT load_extension('/tmp/x.so')",
      "VACUUM INTO '/tmp/copy.db'",
      "PRAGMA synchronous = OFF",
      "PRAGMA journal_mode = MEMORY",
      "PRAGMA writable_schema = ON",
      "SELECT 1; SELECT 2",
      "DELETE FROM axon_events",
    ]) {
      const error = await failure(sql.query({ axonId, sql: statement }));
      expect(error.code, statement).toBe(Code.InvalidArgument);
    }
    expect(existsSync("/tmp/copy.db")).toBe(false);
  });

  it("a batch whose third statement fails leaves no trace and reports the failing step", async () => {
    const { axons, sql } = clients();
    const axonId = (await axons.createAxon({})).axon!.id;
    await sql.query({ axonId, sql: "CREATE TABLE t(id INTEGER PRIMARY KEY)" });
    const batch = await sql.batch({
      axonId,
      statements: [
        { sql: "INSERT INTO t VALUES (?)", params: [integer(1n)] },
        { sql: "CREATE TABLE side(x)" },
        { sql: "INSERT INTO t VALUES (?)", params: [integer(1n)] },
        { sql: "INSERT INTO t VALUES (3)" },
      ],
    });
    expect(batch.committed).toBe(false);
    expect(batch.results.map((r) => r.result.case)).toEqual(["success", "success", "error"]);
    expect(batch.results[2]!.result.value).toMatchObject({ code: "SQLITE_CONSTRAINT_PRIMARYKEY" });
    const count = await sql.query({ axonId, sql: "SELECT count(*) FROM t" });
    expect(count.rows[0]!.values[0]!.kind.value).toBe(0n);
    expect((await failure(sql.query({ axonId, sql: "SELECT * FROM side" }))).code).toBe(Code.InvalidArgument);

    const ok = await sql.batch({
      axonId,
      statements: [{ sql: "INSERT INTO t VALUES (1)" }, { sql: "INSERT INTO t VALUES (2)" }],
    });
    expect(ok.committed).toBe(true);
  });

  it("axon_events equals ListEvents exactly", async () => {
    const { axons, sql } = clients();
    const axonId = (await axons.createAxon({})).axon!.id;
    await axons.publishBatch({
      axonId,
      events: [
        { origin: Origin.USER_EVENT, source: "cli", eventType: "user.message", payload: '{"text":"héllo"}' },
        { origin: Origin.EXTERNAL_EVENT, source: "hook", eventType: "ci.finished", payload: "[1,2]" },
        { origin: Origin.AGENT_EVENT, source: "agent", eventType: "agent.message", payload: "{}" },
      ],
    });
    await axons.publish({
      axonId,
      origin: Origin.USER_EVENT,
      source: "cli",
      eventType: "x",
      payload: "null",
    });
    const listed = (await axons.listEvents({ axonId, limit: 100 })).events.map((e) => [
      e.sequence,
      e.timestampMs,
      Origin[e.origin] === undefined ? "" : `ORIGIN_${Origin[e.origin]}`,
      e.source,
      e.eventType,
      e.payload,
    ]);
    const rows = await sql.query({
      axonId,
      sql: "SELECT sequence, timestamp_ms, origin, source, event_type, payload FROM axon_events ORDER BY sequence",
    });
    const asRows = rows.rows.map((r) =>
      r.values.map((x, i) => (i < 2 ? BigInt(x.kind.value as bigint) : x.kind.value)),
    );
    expect(asRows).toEqual(listed.map((row) => row.map((x, i) => (i < 2 ? BigInt(x as bigint) : x))));
    expect(asRows.map((r) => r[2])).toEqual([
      "ORIGIN_USER_EVENT",
      "ORIGIN_EXTERNAL_EVENT",
      "ORIGIN_AGENT_EVENT",
      "ORIGIN_USER_EVENT",
    ]);
  });

  it("interrupts a runaway WITH RECURSIVE with DEADLINE_EXCEEDED; the axon's next query works", async () => {
    const { axons, sql } = clients();
    const axonId = (await axons.createAxon({})).axon!.id;
    const runaway = await failure(
      sql.query({
        axonId,
        sql: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT max(x) FROM c",
      }),
    );
    expect(runaway.code).toBe(Code.DeadlineExceeded);
    const next = await sql.query({ axonId, sql: "SELECT 42" });
    expect(next.rows[0]!.values[0]!.kind.value).toBe(42n);
  });

  it("a database over its size cap is RESOURCE_EXHAUSTED", async () => {
    const { axons, sql } = clients();
    const axonId = (await axons.createAxon({})).axon!.id;
    await sql.query({ axonId, sql: "CREATE TABLE big(b)" });
    const full = await failure(sql.query({ axonId, sql: "INSERT INTO big VALUES (zeroblob(1000000))" }));
    expect(full.code).toBe(Code.ResourceExhausted);
  });

  it("concurrent writers on one axon are serialised", async () => {
    const { axons, sql } = clients();
    const axonId = (await axons.createAxon({})).axon!.id;
    await sql.query({ axonId, sql: "CREATE TABLE c(n INTEGER)" });
    await sql.query({ axonId, sql: "INSERT INTO c VALUES (0)" });
    const results = await Promise.all(
      Array.from({ length: 30 }, () => sql.query({ axonId, sql: "UPDATE c SET n = n + 1 RETURNING n" })),
    );
    const seen = results.map((r) => r.rows[0]!.values[0]!.kind.value as bigint).sort((a, b) => Number(a - b));
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => BigInt(i + 1)));
  });

  it("a read key may SELECT but not write; DeleteAxon deletes the database", async () => {
    const { axons, sql } = clients();
    const reader = clients("reader").sql;
    const axonId = (await axons.createAxon({})).axon!.id;
    await sql.query({ axonId, sql: "CREATE TABLE t(x)" });
    expect((await reader.query({ axonId, sql: "SELECT count(*) FROM t" })).rows).toHaveLength(1);
    expect((await failure(reader.query({ axonId, sql: "INSERT INTO t VALUES (1)" }))).code).toBe(
      Code.PermissionDenied,
    );
    expect((await failure(reader.batch({ axonId, statements: [{ sql: "SELECT 1" }] }))).code).toBe(
      Code.PermissionDenied,
    );
    expect((await readdir(join(dir, "sql"))).some((f) => f.startsWith(axonId))).toBe(true);
    await axons.deleteAxon({ id: axonId });
    expect((await readdir(join(dir, "sql"))).filter((f) => f.startsWith(axonId))).toEqual([]);
    expect((await failure(sql.query({ axonId, sql: "SELECT 1" }))).code).toBe(Code.NotFound);
  });
});
