import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { SqlService, SqlValueSchema } from "@openaxon/protocol";
import { afterEach, beforeEach, expect, it } from "vitest";
import { connectAxonClient } from "./support/axon-client.js";
import { startAxondProcess } from "./support/axond-process.js";

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "axond-sql-"));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** Pids of live SQL host processes serving `dir` (their command line names it). */
async function sqlHostsOf(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    const args = cmdline.split("\0");
    if (args.some((a) => a.endsWith("sql-host.mjs")) && args.includes(dir)) pids.push(Number(entry));
  }
  return pids;
}

const text = (value: string) => create(SqlValueSchema, { kind: { case: "text", value } });

it("issue 12: an acknowledged SQL insert survives kill -9 of axond right after the ack", {
  timeout: 60_000,
}, async () => {
  const args = ["--listen", "127.0.0.1:0", "--data-dir", dataDir];
  const first = await startAxondProcess({ args });
  expect(await sqlHostsOf(join(dataDir, "sql"))).toEqual([]); // started on first use
  const axonId = (await connectAxonClient(first.url).createAxon({})).axon!.id;
  const sql = createClient(SqlService, createGrpcTransport({ baseUrl: first.url }));
  await sql.query({ axonId, sql: "CREATE TABLE notes(body TEXT)" });
  const written: string[] = [];
  for (let i = 0; i < 20; i++) {
    await sql.query({ axonId, sql: "INSERT INTO notes VALUES (?)", params: [text(`note ${i}`)] });
    written.push(`note ${i}`);
  }
  // No pause, no graceful stop: SIGKILL right after the last acknowledgement.
  const exit = await first.stop("SIGKILL");
  expect(exit.signal).toBe("SIGKILL");

  // The SQL host process does not outlive axond.
  await expect.poll(() => sqlHostsOf(join(dataDir, "sql")), { timeout: 5_000 }).toEqual([]);

  const files = await readdir(join(dataDir, "sql"));
  expect(files).toContain(`${axonId}.sqlite`);
  expect((await stat(join(dataDir, "sql", `${axonId}.sqlite`))).mode & 0o777).toBe(0o600);

  const second = await startAxondProcess({ args });
  try {
    const again = createClient(SqlService, createGrpcTransport({ baseUrl: second.url }));
    const rows = await again.query({ axonId, sql: "SELECT body FROM notes ORDER BY rowid" });
    expect(rows.rows.map((r) => r.values[0]!.kind.value)).toEqual(written);
  } finally {
    await second.stop("SIGTERM");
  }
});
