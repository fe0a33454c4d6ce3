import { createServer } from "node:net";
import { type AxonClient, createAxonClient } from "@openaxon/client";
import { type RealServer, startRealServer } from "@openaxon/client/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonLines, runAxon, spawnAxon } from "./support/run-axon.js";

let real: RealServer;
let client: AxonClient;
let env: Record<string, string>;

beforeAll(async () => {
  real = await startRealServer();
  client = createAxonClient({ baseUrl: real.url });
  env = { OPENAXON_URL: real.url };
});

afterAll(async () => {
  await real.close();
});

interface JsonEvent {
  sequence: number;
  axonId: string;
  timestampMs: number;
  time: string;
  origin: string;
  source: string;
  eventType: string;
  payload: unknown;
}

async function createAxon(...args: string[]): Promise<string> {
  const run = await runAxon(["create", ...args], { env });
  expect(run.code).toBe(0);
  return run.stdout.trim();
}

describe("axon", () => {
  it("creates an axon, publishes to it and reads the events back as JSON lines", async () => {
    const created = await runAxon(["--json", "create", "--name", "tour", "--label", "env=dev"], { env });
    expect(created.code).toBe(0);
    const [axon] = jsonLines<{ id: string; name: string; headSequence: number; labels: object }>(
      created.stdout,
    );
    expect(axon).toMatchObject({ name: "tour", headSequence: 0, labels: { env: "dev" } });
    const id = axon!.id;

    const first = await runAxon(["publish", id, "--type", "user.message", "--json", '{"text":"hi"}'], {
      env,
    });
    expect(first.code).toBe(0);
    expect(jsonLines(first.stdout)).toEqual([expect.objectContaining({ sequence: 1, duplicate: false })]);

    const fromStdin = await runAxon(
      ["publish", id, "--type", "ci.result", "--origin", "external", "--source", "ci", "-"],
      { env, stdin: '{\n  "ok": true\n}\n' },
    );
    expect(fromStdin).toMatchObject({ code: 0, stdout: "published #2\n" });

    const events = await runAxon(["events", id, "--json"], { env });
    expect(events.code).toBe(0);
    const listed = jsonLines<JsonEvent>(events.stdout);
    expect(
      listed.map(({ sequence, axonId, origin, source, eventType, payload }) => ({
        sequence,
        axonId,
        origin,
        source,
        eventType,
        payload,
      })),
    ).toEqual([
      {
        sequence: 1,
        axonId: id,
        origin: "user",
        source: "cli",
        eventType: "user.message",
        payload: { text: "hi" },
      },
      {
        sequence: 2,
        axonId: id,
        origin: "external",
        source: "ci",
        eventType: "ci.result",
        payload: { ok: true },
      },
    ]);
    expect(new Date(listed[0]!.time).getTime()).toBe(listed[0]!.timestampMs);

    const tail = await runAxon(["tail", id, "--json"], { env });
    expect(tail.code).toBe(0);
    expect(jsonLines(tail.stdout)).toEqual(listed);

    const after = await runAxon(["--json", "tail", id, "--after", "1", "--type", "ci.result"], { env });
    expect(jsonLines<JsonEvent>(after.stdout).map((e) => e.sequence)).toEqual([2]);
  });

  it("prints human event lines", async () => {
    const id = await createAxon();
    await runAxon(["publish", id, "--type", "user.message", '{"text":"hi"}'], { env });
    const run = await runAxon(["events", id], { env });
    expect(run.stdout).toMatch(
      /^#1 {2}\d\d:\d\d:\d\d\.\d{3} {2}user {6}user\.message {2}cli {2}\{"text":"hi"\}\n$/,
    );
  });

  it("gets, lists and deletes axons", async () => {
    const id = await createAxon("--name", "listed-one");
    const got = await runAxon(["get", id, "--json"], { env });
    expect(jsonLines(got.stdout)).toEqual([expect.objectContaining({ id, name: "listed-one" })]);

    const listed = await runAxon(["list", "--prefix", "listed-", "--json"], { env });
    expect(jsonLines<{ id: string }>(listed.stdout).map((a) => a.id)).toEqual([id]);
    const table = await runAxon(["list", "--prefix", "listed-"], { env });
    expect(table.stdout).toMatch(/^ID +NAME +HEAD +CREATED +LABELS\naxn_\S+ +listed-one +0 /);

    expect((await runAxon(["delete", id], { env })).stdout).toBe(`deleted ${id}\n`);
    const gone = await runAxon(["get", id], { env });
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe(`error: axon ${id} not found (list axons with \`axon list\`)\n`);
  });

  it("refuses a payload that is not JSON before sending anything", async () => {
    const id = await createAxon();
    const run = await runAxon(["publish", id, "--type", "note", "{text: hi}"], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: invalid JSON payload: .+\n {2}the payload must be JSON/);
    expect((await client.axons.get(id)).headSequence).toBe(0);
  });

  it("reports idempotent repeats and expected-head conflicts", async () => {
    const id = await createAxon();
    const args = ["publish", id, "--type", "note", "--idempotency-key", "k1", "{}"];
    await runAxon(args, { env });
    expect((await runAxon(args, { env })).stdout).toBe("duplicate of #1 — nothing written\n");

    const conflict = await runAxon(["publish", id, "--type", "note", "--expected-head", "0", "{}"], { env });
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toBe(`error: expected head 0 but axon ${id} is at 1 — nothing was written\n`);
  });

  it("rejects bad flags with a usage error", async () => {
    const run = await runAxon(["tail", "axn_x", "--after", "-3"], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--after must be a non-negative integer/);
    const origin = await runAxon(["publish", "axn_x", "--type", "t", "--origin", "system"], { env });
    expect(origin.code).toBe(2);
    expect(origin.stderr).toMatch(/Allowed choices are user, external, agent/);
  });

  it("explains an unreachable server", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const run = await runAxon(["list"], { env: { OPENAXON_URL: url } });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `error: cannot reach axond at ${url} — is it running? start it with \`npm start\` (or pass --url / set OPENAXON_URL)\n`,
    );
  });

  it("asks for an API key when the server requires one", async () => {
    const secured = await startRealServer({ apiKeys: ["k_cli"] });
    try {
      const denied = await runAxon(["--url", secured.url, "list"]);
      expect(denied.code).toBe(1);
      expect(denied.stderr).toMatch(/requires an API key — pass --api-key or set OPENAXON_API_KEY/);
      const allowed = await runAxon(["list", "--json"], {
        env: { OPENAXON_URL: secured.url, OPENAXON_API_KEY: "k_cli" },
      });
      expect(allowed.code).toBe(0);
    } finally {
      await secured.close();
    }
  });

  it("follows live events with tail --follow, marks where replay turns live, and exits 130 on Ctrl-C", async () => {
    const id = await createAxon();
    const axon = client.axon(id);
    await axon.publish({ eventType: "before", payload: { n: 1 } });

    const tail = spawnAxon(["tail", id, "--follow", "--json"], env);
    await expect.poll(() => tail.lines().length, { timeout: 15_000 }).toBe(2);
    await axon.publish({ eventType: "live", payload: { n: 2 } });
    await expect.poll(() => tail.lines().length, { timeout: 15_000 }).toBe(3);

    tail.child.kill("SIGINT");
    expect(await tail.exited).toBe(130);
    expect(tail.lines().map((line) => JSON.parse(line) as JsonEvent)).toEqual([
      expect.objectContaining({ eventType: "before" }),
      { live: true, lastSequence: 1 },
      expect.objectContaining({ eventType: "live" }),
    ]);
  });
});

/** A port nothing listens on: bound once by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
