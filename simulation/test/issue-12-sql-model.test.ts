import type { SqlHostRequest } from "@openaxon/sql";
import { describe, expect, it } from "vitest";
import { settle } from "../src/settle.js";
import { SimSqlDisk } from "../src/sim-sql-disk.js";
import { SimSqlHost } from "../src/sim-sql-host.js";
import { SIM_SQL } from "../src/sim-sql-statements.js";

const paths = { path: "db/a.sqlite", mirrorPath: "db/a.events.sqlite", maxDatabaseBytes: 1 << 20 };
const limits = { maxRows: 100, maxBytes: 1 << 20 };
const insert = (id: string): SqlHostRequest => ({
  op: "run",
  ...paths,
  atomic: false,
  statements: [{ sql: SIM_SQL.insertNote, params: [id, `body ${id}`] }],
  limits,
});
const batchOn = (path: string, ...ids: string[]): SqlHostRequest => ({
  op: "run",
  ...paths,
  path,
  atomic: true,
  statements: ids.map((id) => ({ sql: SIM_SQL.insertNote, params: [id, `body ${id}`] })),
  limits,
});
const batch = (...ids: string[]) => batchOn(paths.path, ...ids);

/** Starts a request and reports whether it was answered. */
function track(promise: Promise<unknown>): { answered: boolean } {
  const state = { answered: false };
  void promise.then(() => {
    state.answered = true;
  });
  return state;
}

describe("the simulation's model of the SQL host and its files (issue 12)", () => {
  it("answers a commit only once it is durable, and an answered commit survives a power cut", async () => {
    const disk = new SimSqlDisk();
    const host = new SimSqlHost(disk);
    const write = track(host.request(insert("w1.0")));
    await settle();
    expect(write.answered).toBe(false);
    expect(disk.durableNotes(paths.path)).toEqual([]);
    disk.syncNext();
    await settle();
    expect(write.answered).toBe(true);
    disk.crash(0);
    expect(disk.durableNotes(paths.path).map((r) => r.id)).toEqual(["w1.0"]);
  });

  it("runs one request at a time: a read waits for the write before it to be durable", async () => {
    const disk = new SimSqlDisk();
    const host = new SimSqlHost(disk);
    track(host.request(insert("w1.0")));
    const read = host.request<{ results: { ok: { rows: unknown[][] } }[] }>({
      op: "run",
      ...paths,
      atomic: false,
      statements: [{ sql: SIM_SQL.selectNotes, params: [] }],
      limits,
    });
    const seen = track(read);
    await settle();
    expect(seen.answered).toBe(false);
    disk.syncNext();
    expect((await read).results[0]!.ok.rows).toEqual([["w1.0", "body w1.0"]]);
  });

  it("keeps a prefix of the commits in flight at a power cut, each whole, and the dead host never answers", async () => {
    const disk = new SimSqlDisk();
    const hosts = [new SimSqlHost(disk), new SimSqlHost(disk)];
    const first = track(hosts[0]!.request(batch("w1.0", "w1.1")));
    const second = track(hosts[1]!.request(batchOn("db/b.sqlite", "w2.0")));
    await settle();
    expect(disk.pendingSyncs).toBe(2);
    expect(disk.crash(1)).toEqual({ inFlight: 2, survived: 1 });
    expect(disk.durableNotes(paths.path).map((r) => r.id)).toEqual(["w1.0", "w1.1"]);
    expect(disk.durableNotes("db/b.sqlite")).toEqual([]);
    await settle();
    expect([first.answered, second.answered]).toEqual([false, false]);
    expect(track(hosts[0]!.request(insert("w3.0"))).answered).toBe(false);
    await settle();
    expect(disk.pendingSyncs).toBe(0);
  });

  it("rolls back a batch whose step fails, and refuses what it does not model", async () => {
    const disk = new SimSqlDisk();
    const host = new SimSqlHost(disk);
    const failed = await host.request<{ committed: boolean; results: { error?: { code: string } }[] }>(
      batch("w1.0", "w1.0"),
    );
    expect(failed.committed).toBe(false);
    expect(failed.results[1]!.error!.code).toBe("SQLITE_CONSTRAINT_PRIMARYKEY");
    expect(disk.pendingSyncs).toBe(0);
    expect(disk.notes(paths.path)).toEqual([]);
    const unknown = await host.request<{ results: { error?: { code: string } }[] }>({
      op: "run",
      ...paths,
      atomic: false,
      statements: [{ sql: "DELETE FROM notes", params: [] }],
      limits,
    });
    expect(unknown.results[0]!.error!.code).toBe("SQLITE_ERROR");
  });

  it("keeps only a prefix of the events mirror's unsynced writes (synchronous=NORMAL)", async () => {
    const disk = new SimSqlDisk();
    const host = new SimSqlHost(disk);
    const row = (seq: bigint) => [seq, 0n, "ORIGIN_USER_EVENT", "s", "t", "{}"] as const;
    await host.request({ op: "mirror", ...paths, rows: [row(1n), row(2n)] });
    await host.request({ op: "mirror", ...paths, rows: [row(3n)] });
    disk.crash(1);
    const again = new SimSqlHost(disk);
    expect(await again.request({ op: "mirrorHead", ...paths })).toEqual({ head: 2 });
  });
});
