import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type KvLogStore, Origin, openClassicLevelLogStore } from "@openaxon/store";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqlDatabases } from "./sql-databases.js";
import {
  SqlAxonNotFoundError,
  SqlDatabaseFullError,
  SqlInterruptedError,
  SqlStatementError,
} from "./sql-errors.js";
import { SqlHost } from "./sql-host.js";

let dir: string;
let store: KvLogStore;
let sql: SqlDatabases;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "openaxon-sql-"));
  store = await openClassicLevelLogStore({ path: join(dir, "log") });
  sql = await SqlDatabases.open({
    dir: join(dir, "sql"),
    store,
    hosts: 1,
    limits: { statementTimeoutMs: 1_000, maxDatabaseBytes: 256 * 1024 },
  });
});

afterEach(async () => {
  await sql.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const q = (axonId: string, text: string, params: (null | bigint | number | string | Uint8Array)[] = []) =>
  sql.query(axonId, { sql: text, params });

describe("SqlDatabases (issue 12)", () => {
  it("keeps one owner-only file per axon and deletes it with the axon", async () => {
    const axon = await store.createAxon({ name: "a", labels: {} });
    await q(axon.id, "CREATE TABLE kv(k TEXT PRIMARY KEY, v)");
    const file = join(dir, "sql", `${axon.id}.sqlite`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "sql")).mode & 0o777).toBe(0o700);
    await sql.deleteDatabase(axon.id);
    expect(readdirSync(join(dir, "sql"))).toEqual([]);
  });

  it("round-trips every value type exactly", async () => {
    const axon = await store.createAxon({ name: "a", labels: {} });
    await q(axon.id, "CREATE TABLE v(x)");
    const values = [
      null,
      2n ** 63n - 1n,
      -(2n ** 63n),
      0n,
      -0,
      1.5,
      Number.POSITIVE_INFINITY,
      "",
      "héllo 😀 ünïcode",
      new Uint8Array(),
      new Uint8Array([0, 255, 7]),
    ];
    for (const value of values) await q(axon.id, "INSERT INTO v VALUES (?)", [value]);
    const result = await q(axon.id, "SELECT x FROM v ORDER BY rowid");
    expect(result.rows.map((r) => r[0])).toEqual(values);
    expect(Object.is(result.rows[4]![0], -0)).toBe(true);
    expect(result.columns).toEqual([{ name: "x", type: "" }]);
  });

  it("binds ?NNN by number and a plain ? after it to the next number, as SQLite numbers them", async () => {
    const axon = await store.createAxon({ name: "a", labels: {} });
    const result = await q(axon.id, "SELECT ?2, ?1, ?, ?2", ["one", "two", "three"]);
    expect(result.rows).toEqual([["two", "one", "three", "two"]]);
    await expect(q(axon.id, "SELECT ?3", ["a", "b"])).rejects.toMatchObject({ code: "SQLITE_RANGE" });
  });

  it("opens every database in WAL mode with synchronous=FULL, in the host itself", async () => {
    const axon = await store.createAxon({ name: "a", labels: {} });
    await q(axon.id, "CREATE TABLE t(x)");
    // User SQL may not read these PRAGMAs; ask the host directly, on the connection it uses.
    const host = new SqlHost(4, { onRestart: () => {} }, "pragma-test");
    try {
      const reply = await host.request<{ results: { ok: { rows: unknown[][] } }[] }>({
        op: "run",
        path: join(dir, "sql", `${axon.id}.sqlite`),
        mirrorPath: join(dir, "sql", `${axon.id}.events.sqlite`),
        maxDatabaseBytes: 1 << 20,
        statements: [
          { sql: "PRAGMA journal_mode", params: [] },
          { sql: "PRAGMA synchronous", params: [] },
        ],
        atomic: false,
        limits: { maxRows: 10, maxBytes: 1 << 20 },
      });
      // synchronous: 2 is FULL.
      expect(reply.results.map((r) => r.ok.rows)).toEqual([[["wal"]], [[2n]]]);
    } finally {
      await host.close();
    }
  });

  it("reports changes and the last rowid, and declared column types", async () => {
    const axon = await store.createAxon({ name: "a", labels: {} });
    await q(axon.id, "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, score REAL, data BLOB)");
    const insert = await q(axon.id, "INSERT INTO t(name) VALUES (?), (?)", ["a", "b"]);
    expect(insert.changes).toBe(2n);
    expect(insert.lastInsertRowid).toBe(2n);
    const select = await q(axon.id, "SELECT * FROM t");
    expect(select.changes).toBe(0n);
    expect(select.columns.map((c) => c.type)).toEqual(["INTEGER", "TEXT", "REAL", "BLOB"]);
  });

  it("rolls back a batch whose third statement fails, leaving no trace", async () => {
    const axon = await store.createAxon({ name: "a", labels: {} });
    await q(axon.id, "CREATE TABLE t(id INTEGER PRIMARY KEY)");
    const batch = await sql.batch(axon.id, [
      { sql: "INSERT INTO t VALUES (1)", params: [] },
      { sql: "CREATE TABLE u(x)", params: [] },
      { sql: "INSERT INTO t VALUES (1)", params: [] },
      { sql: "INSERT INTO t VALUES (2)", params: [] },
    ]);
    expect(batch.committed).toBe(false);
    expect(batch.results).toHaveLength(3);
    expect(batch.results[2]).toEqual({
      error: { message: "UNIQUE constraint failed: t.id", code: "SQLITE_CONSTRAINT_PRIMARYKEY" },
    });
    expect((await q(axon.id, "SELECT count(*) FROM t")).rows).toEqual([[0n]]);
    await expect(q(axon.id, "SELECT * FROM u")).rejects.toThrow("no such table: u");
  });

  it("fails a batch at a refused step after running and rolling back the steps before it", async () => {
    const axon = await store.createAxon({ name: "a", labels: {} });
    const batch = await sql.batch(axon.id, [
      { sql: "CREATE TABLE t(x)", params: [] },
      { sql: "ATTACH 'x' AS x", params: [] },
    ]);
    expect(batch.committed).toBe(false);
    expect(batch.results[1]).toMatchObject({ error: { code: "SQLITE_AUTH" } });
    await expect(q(axon.id, "SELECT * FROM t")).rejects.toThrow("no such table: t");
  });

  it("serialises concurrent writers on one axon", async () => {
    const axon = await store.createAxon({ name: "a", labels: {} });
    await q(axon.id, "CREATE TABLE c(n INTEGER)");
    await q(axon.id, "INSERT INTO c VALUES (0)");
    // Forty writers at once: none sees SQLITE_BUSY, each sees a distinct count, none is lost.
    const writers = Array.from({ length: 40 }, () => q(axon.id, "UPDATE c SET n = n + 1 RETURNING n"));
    const seen = (await Promise.all(writers)).map((r) => r.rows[0]![0]);
    expect(new Set(seen).size).toBe(40);
    expect((await q(axon.id, "SELECT n FROM c")).rows).toEqual([[40n]]);
  });

  it("shows every durable event in axon_events, read-only", async () => {
    const axon = await store.createAxon({ name: "a", labels: {} });
    await store.append(axon.id, [
      { origin: Origin.User, source: "u", eventType: "user.message", payload: '{"text":"hi"}' },
      { origin: Origin.Agent, source: "a", eventType: "agent.text", payload: "{}" },
    ]);
    const first = await q(axon.id, "SELECT sequence, origin, source, event_type, payload FROM axon_events");
    expect(first.rows).toEqual([
      [1n, "ORIGIN_USER_EVENT", "u", "user.message", '{"text":"hi"}'],
      [2n, "ORIGIN_AGENT_EVENT", "a", "agent.text", "{}"],
    ]);
    await store.append(axon.id, [{ origin: Origin.System, source: "s", eventType: "x", payload: "1" }]);
    expect((await q(axon.id, "SELECT max(sequence), count(*) FROM axon_events")).rows).toEqual([[3n, 3n]]);
    await expect(q(axon.id, "DELETE FROM axon_events")).rejects.toThrow(
      /cannot modify axon_events because it is a view/,
    );
    await expect(q(axon.id, "DROP VIEW axon_events")).rejects.toBeInstanceOf(SqlStatementError);
  });

  it("interrupts a runaway statement and serves the axon's next query", async () => {
    const axon = await store.createAxon({ name: "a", labels: {} });
    await q(axon.id, "CREATE TABLE t(x)");
    await q(axon.id, "INSERT INTO t VALUES (1)");
    await expect(
      q(axon.id, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"),
    ).rejects.toBeInstanceOf(SqlInterruptedError);
    // An interrupted write keeps nothing.
    await expect(
      q(
        axon.id,
        "UPDATE t SET x = (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c)",
      ),
    ).rejects.toBeInstanceOf(SqlInterruptedError);
    expect((await q(axon.id, "SELECT x FROM t")).rows).toEqual([[1n]]);
  });

  it("stops a result at the row limit and says so", async () => {
    const many = await SqlDatabases.open({
      dir: join(dir, "sql2"),
      store,
      hosts: 1,
      limits: { maxResultRows: 5 },
    });
    try {
      const axon = await store.createAxon({ name: "a", labels: {} });
      const result = await many.query(axon.id, {
        sql: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100) SELECT x FROM c",
        params: [],
      });
      expect(result.rows).toHaveLength(5);
      expect(result.rowsReadLimitReached).toBe(true);
    } finally {
      await many.close();
    }
  });

  it("stops a result at the byte limit and says so", async () => {
    const small = await SqlDatabases.open({
      dir: join(dir, "sql3"),
      store,
      hosts: 1,
      limits: { maxResultBytes: 100 },
    });
    try {
      const axon = await store.createAxon({ name: "a", labels: {} });
      // Ten rows of 30 bytes of text each: three fit in 100 bytes.
      const result = await small.query(axon.id, {
        sql: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10) SELECT printf('%030d', x) FROM c",
        params: [],
      });
      expect(result.rows).toHaveLength(3);
      expect(result.rowsReadLimitReached).toBe(true);
    } finally {
      await small.close();
    }
  });

  it("refuses writes past the size cap with a resource error, and reads still work", async () => {
    const axon = await store.createAxon({ name: "a", labels: {} });
    await q(axon.id, "CREATE TABLE big(b)");
    await expect(q(axon.id, "INSERT INTO big VALUES (zeroblob(1000000))")).rejects.toBeInstanceOf(
      SqlDatabaseFullError,
    );
    expect((await q(axon.id, "SELECT count(*) FROM big")).rows).toEqual([[0n]]);
  });

  it("names SQLite's errors and refuses mismatched parameters and unknown axons", async () => {
    const axon = await store.createAxon({ name: "a", labels: {} });
    await expect(q(axon.id, "SELEC 1")).rejects.toMatchObject({
      code: "SQLITE_ERROR",
      message: 'near "SELEC": syntax error',
    });
    await expect(q(axon.id, "SELECT ?", [])).rejects.toMatchObject({ code: "SQLITE_RANGE" });
    await expect(q(axon.id, "SELECT ?", [Number.NaN])).rejects.toThrow(/NaN/);
    await expect(q(axon.id, "SELECT ?", ["a\u0000b"])).rejects.toThrow(/NUL/);
    await expect(q("axn_missing", "SELECT 1")).rejects.toBeInstanceOf(SqlAxonNotFoundError);
    await expect(q("../../etc/passwd", "SELECT 1")).rejects.toBeInstanceOf(SqlAxonNotFoundError);
  });

  it("keeps at most maxOpenDatabases databases open; idle ones are closed and reopen on use", async () => {
    const lruDir = join(dir, "lru");
    const lru = await SqlDatabases.open({ dir: lruDir, store, hosts: 1, limits: { maxOpenDatabases: 2 } });
    try {
      const axons = [];
      for (let i = 0; i < 5; i++) {
        const axon = await store.createAxon({ name: `a${i}`, labels: {} });
        axons.push(axon.id);
        await lru.query(axon.id, { sql: "CREATE TABLE t(x)", params: [] });
      }
      const openAxons = new Set(openFilesUnder(lruDir).map((f) => f.split("/").pop()!.split(".")[0]));
      expect(openAxons.size).toBeGreaterThan(0);
      expect(openAxons.size).toBeLessThanOrEqual(2);
      // The first axon's database was closed; using it again reopens it with its table.
      expect((await lru.query(axons[0]!, { sql: "SELECT count(*) FROM t", params: [] })).rows).toEqual([
        [0n],
      ]);
    } finally {
      await lru.close();
    }
  });
});

/** Files under `dir` that some process of ours (the host is a child, so scan every pid) holds open. */
function openFilesUnder(dir: string): string[] {
  const files: string[] = [];
  for (const pid of readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
    let cmdline = "";
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch {
      continue;
    }
    if (!cmdline.split("\0").includes(dir)) continue;
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (target.startsWith(`${dir}/`)) files.push(target);
      } catch {
        // closed meanwhile
      }
    }
  }
  return files;
}
