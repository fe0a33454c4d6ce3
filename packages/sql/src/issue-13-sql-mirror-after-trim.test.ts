import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type KvLogStore, Origin, openClassicLevelLogStore } from "@openaxon/store";
import { afterEach, beforeEach, expect, it } from "vitest";
import { SqlDatabases } from "./sql-databases.js";

// Found by the simulation: the axon_events mirror copied the log from its own head, so once
// retention trimmed past that head every statement on the axon failed OUT_OF_RANGE for good.

let dir: string;
let store: KvLogStore;
let sql: SqlDatabases;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "openaxon-sql-trim-"));
  store = await openClassicLevelLogStore({ path: join(dir, "log") });
  sql = await SqlDatabases.open({ dir: join(dir, "sql"), store, hosts: 1 });
});

afterEach(async () => {
  await sql.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const note = (text: string) => ({
  origin: Origin.User,
  source: "t",
  eventType: "note",
  payload: JSON.stringify(text),
});
const sequences = async (axonId: string) =>
  (
    await sql.query(axonId, { sql: "SELECT sequence FROM axon_events ORDER BY sequence", params: [] })
  ).rows.map((r) => r[0]);

it("keeps working after retention trims past the mirror, and axon_events holds what the log still serves", async () => {
  const axon = await store.createAxon({ name: "a", labels: {}, retention: { maxEvents: 2 } });
  await store.append(axon.id, [note("one")]);
  expect(await sequences(axon.id)).toEqual([1n]);

  await store.append(axon.id, [note("two"), note("three"), note("four"), note("five")]);
  await store.applyRetention();
  expect((await store.getAxon(axon.id))?.firstSequence).toBe(4);

  expect(await sequences(axon.id)).toEqual([4n, 5n]);
  await sql.query(axon.id, { sql: "CREATE TABLE kv(k TEXT PRIMARY KEY, v)", params: [] });

  // A trim with nothing new to copy still reaches the mirror.
  await store.updateAxon(axon.id, { retentionLimits: { maxEvents: 1 } });
  await store.applyRetention();
  expect(await sequences(axon.id)).toEqual([5n]);
});
