import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type KvLogStore, openClassicLevelLogStore } from "@openaxon/store";
import { afterEach, beforeEach, expect, it } from "vitest";
import { SqlDatabases } from "./sql-databases.js";
import { SqlUnavailableError } from "./sql-errors.js";

let dir: string;
let store: KvLogStore;
let sql: SqlDatabases;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "openaxon-sql-unreachable-"));
  store = await openClassicLevelLogStore({ path: join(dir, "log") });
  sql = await SqlDatabases.open({ dir: join(dir, "sql"), store, hosts: 1 });
});

afterEach(async () => {
  await sql.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The pids of the SQL hosts serving `sqlDir` (their command lines name the directory). */
function hostPids(sqlDir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (args.some((a) => a.endsWith("sql-host.mjs")) && args.includes(sqlDir)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

// CI caught axond's SQL service sending the next statement to a host that had just been SIGKILLed,
// before its exit was seen: the IPC write failed with EPIPE, emitted as an `error` event nobody
// listened to, an uncaught exception (axond would have exited). Statements sent while the host is
// dying must fail with UNAVAILABLE, and the next ones run on a new host.
it("issue 12: statements sent to a host that just died fail as unavailable, and the service goes on", {
  timeout: 60_000,
}, async () => {
  const axon = await store.createAxon({ name: "a", labels: {} });
  await sql.query(axon.id, { sql: "CREATE TABLE t(n INTEGER)", params: [] });
  let failed = 0;
  for (let round = 0; round < 20; round++) {
    // A stream of statements, each sent the moment the previous one settles, with the host killed
    // in the middle: the next send lands while the host is dead but its exit not yet seen.
    let kill = 3;
    for (let i = 0; i < 8; i++) {
      if (kill-- === 0) for (const pid of hostPids(join(dir, "sql"))) process.kill(pid, "SIGKILL");
      try {
        await sql.query(axon.id, { sql: "SELECT count(*) FROM t", params: [] });
      } catch (error) {
        expect(error).toBeInstanceOf(SqlUnavailableError);
        failed++;
      }
    }
  }
  expect(failed, "statements the kills cut short").toBeGreaterThan(0);
  const { rows } = await sql.query(axon.id, { sql: "SELECT count(*) FROM t", params: [] });
  expect(Number(rows[0]![0])).toBe(0);
});
