import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AxonClient, Code, ConnectError, createAxonClient, sqlErrorOf } from "../src/index.js";
import { type RealServer, startRealServer } from "../src/test-support/index.js";

let real: RealServer;
let client: AxonClient;

beforeAll(async () => {
  real = await startRealServer({ sql: true });
  client = createAxonClient({ baseUrl: real.url, source: "test" });
});

afterAll(async () => {
  await real.close();
});

describe("axon.sql (issue 12)", () => {
  it("queries with exact values and reports SQLite's errors", async () => {
    const { id } = await client.axons.create();
    const axon = client.axon(id);
    await axon.sql.query("CREATE TABLE kv(k TEXT PRIMARY KEY, v)");
    const big = 2n ** 63n - 1n;
    const insert = await axon.sql.query("INSERT INTO kv VALUES (?, ?), (?, ?), (?, ?)", [
      "big",
      big,
      "small",
      42,
      "bytes",
      new Uint8Array([1, 2]),
    ]);
    expect(insert.meta).toMatchObject({ changes: 3, lastInsertRowid: 3, rowsReadLimitReached: false });
    const rows = await axon.sql.query("SELECT k, v FROM kv ORDER BY rowid");
    expect(rows.columns).toEqual([
      { name: "k", type: "TEXT" },
      { name: "v", type: "" },
    ]);
    expect(rows.rows).toEqual([
      ["big", big],
      ["small", 42],
      ["bytes", new Uint8Array([1, 2])],
    ]);

    const error = await axon.sql.query("INSERT INTO kv VALUES ('big', 1)").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.InvalidArgument);
    expect(sqlErrorOf(error)).toEqual({
      message: "UNIQUE constraint failed: kv.k",
      code: "SQLITE_CONSTRAINT_PRIMARYKEY",
    });
  });

  it("batches atomically and reads the axon's events as a table", async () => {
    const { id } = await client.axons.create();
    const axon = client.axon(id);
    await axon.publish({ eventType: "user.message", payload: { text: "hi" } });
    const failed = await axon.sql.batch([
      "CREATE TABLE t(x PRIMARY KEY)",
      { sql: "INSERT INTO t VALUES (?)", params: [1] },
      { sql: "INSERT INTO t VALUES (?)", params: [1] },
    ]);
    expect(failed.committed).toBe(false);
    expect(failed.results.map((r) => r.ok)).toEqual([true, true, false]);
    const ok = await axon.sql.batch(["CREATE TABLE t(x)", "INSERT INTO t SELECT sequence FROM axon_events"]);
    expect(ok.committed).toBe(true);
    const events = await axon.sql.query("SELECT sequence, origin, event_type, payload FROM axon_events");
    expect(events.rows).toEqual([[1, "ORIGIN_USER_EVENT", "user.message", '{"text":"hi"}']]);
  });
});
