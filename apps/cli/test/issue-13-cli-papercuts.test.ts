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

describe("CLI papercuts (issue 13)", { timeout: 60_000 }, () => {
  it("suggests the user.message payload the broker accepts ({content}) when the JSON is bad", async () => {
    // (create's hint, shown only on a TTY, suggests the same payload.)
    const created = await runAxon(["create"], { env });
    const bad = await runAxon(["publish", created.stdout.trim(), "--type", "user.message", "{nope"], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`'{"content":"hi"}'`);
    expect(bad.stderr).not.toContain('"text"');
  });

  it("tail --type with a type no event has and OpenAxon does not know fails, listing the known types", async () => {
    const { id } = await client.axons.create();
    await client.axon(id).publish({ eventType: "ci.result", payload: { ok: true } });
    const unknown = await runAxon(["tail", id, "--type", "no.such.type"], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe("");
    expect(unknown.stderr).toMatch(/unknown event type "no\.such\.type": no event in axon \S+ has it/);
    expect(unknown.stderr).toContain("user.message");
    expect(unknown.stderr).toContain("turn.completed");
    // A custom type that is there, and a known type that has no events yet, are fine.
    const custom = await runAxon(["--json", "tail", id, "--type", "ci.result"], { env });
    expect(custom.code).toBe(0);
    expect(jsonLines(custom.stdout)).toHaveLength(1);
    const known = await runAxon(["tail", id, "--type", "turn.completed"], { env });
    expect(known).toMatchObject({ code: 0, stdout: "" });
  });

  it("tail --follow says on stderr when replay turns live", async () => {
    const { id } = await client.axons.create();
    await client.axon(id).publish({ eventType: "before", payload: {} });
    const tail = spawnAxon(["tail", id, "--follow"], env);
    await expect.poll(() => tail.stderr(), { timeout: 20_000 }).toContain("live after #1");
    expect(tail.lines()).toHaveLength(1);
    tail.child.kill("SIGINT");
    expect(await tail.exited).toBe(130);
  });

  it("events --limit beyond the server's page cap (1000) fetches further pages instead of clamping", async () => {
    const { id } = await client.axons.create();
    const axon = client.axon(id);
    for (let start = 0; start < 1200; start += 400) {
      await axon.publishBatch(
        Array.from({ length: 400 }, (_, i) => ({ eventType: "n", payload: { n: start + i } })),
      );
    }
    const some = await runAxon(["--json", "events", id, "--limit", "1100"], { env });
    expect(some.code).toBe(0);
    const sequences = jsonLines<{ sequence: number }>(some.stdout).map((e) => e.sequence);
    expect(sequences).toEqual(Array.from({ length: 1100 }, (_, i) => i + 1));
    const all = await runAxon(["events", id, "--limit", "5000"], { env });
    expect(all.stdout.trim().split("\n")).toHaveLength(1200);
    expect(all.stderr).toBe("");
    const desc = await runAxon(["--json", "events", id, "--desc", "--limit", "1050"], { env });
    const down = jsonLines<{ sequence: number }>(desc.stdout).map((e) => e.sequence);
    expect(down).toEqual(Array.from({ length: 1050 }, (_, i) => 1200 - i));
  });
});
