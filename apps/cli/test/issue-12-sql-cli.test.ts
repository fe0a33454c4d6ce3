import { type AxonClient, createAxonClient } from "@openaxon/client";
import { type RealServer, startRealServer } from "@openaxon/client/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonLines, runAxon } from "./support/run-axon.js";

let real: RealServer;
let client: AxonClient;
let env: Record<string, string>;

beforeAll(async () => {
  real = await startRealServer({ sql: true });
  client = createAxonClient({ baseUrl: real.url });
  env = { OPENAXON_URL: real.url };
});

afterAll(async () => {
  await real.close();
});

describe("axon sql (issue 12)", () => {
  // Four CLI processes, each a few seconds on a loaded machine.
  it("runs statements with --param, prints a table or JSON, and explains SQL errors", {
    timeout: 60_000,
  }, async () => {
    const { id } = await client.axons.create();
    await client.axon(id).publish({ eventType: "user.message", payload: { text: "hi" } });
    await client.axon(id).sql.query("CREATE TABLE kv(k TEXT PRIMARY KEY, v)");
    const insert = await runAxon(
      [
        "sql",
        id,
        "INSERT INTO kv VALUES (?, ?), (?, ?)",
        "--param",
        "big",
        "--param",
        "9223372036854775807",
        "--param",
        "blob",
        "--param",
        "X'00ff'",
      ],
      { env },
    );
    expect(insert).toMatchObject({ code: 0, stdout: "" });
    expect(insert.stderr).toMatch(/0 rows, 2 changed/);

    const table = await runAxon(["sql", id, "SELECT k, v FROM kv ORDER BY k"], { env });
    expect(table.code).toBe(0);
    expect(table.stdout).toBe("k     v\nbig   9223372036854775807\nblob  X'00FF'\n");

    const json = await runAxon(["--json", "sql", id, "SELECT sequence, origin, payload FROM axon_events"], {
      env,
    });
    expect(json.code).toBe(0);
    expect(jsonLines(json.stdout)).toEqual([
      expect.objectContaining({ rows: [[1, "ORIGIN_USER_EVENT", '{"text":"hi"}']] }),
    ]);

    const bad = await runAxon(["sql", id, "INSERT INTO kv VALUES ('big', 1)"], { env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("UNIQUE constraint failed: kv.k (SQLITE_CONSTRAINT_PRIMARYKEY)");
  });

  it("without a statement, runs the statements on stdin one by one and reports failures", {
    timeout: 30_000,
  }, async () => {
    const { id } = await client.axons.create();
    const run = await runAxon(["sql", id], {
      env,
      stdin: "CREATE TABLE s(x);\nINSERT INTO s VALUES (1), ('two;');\nSELEC nope;\nSELECT x\n  FROM s;\n",
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("x\n1\ntwo;\n");
    expect(run.stderr).toContain('near "SELEC": syntax error (SQLITE_ERROR)');
  });
});
