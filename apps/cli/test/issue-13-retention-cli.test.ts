import { type RealServer, startRealServer } from "@openaxon/client/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonLines, runAxon } from "./support/run-axon.js";

let real: RealServer;
let env: Record<string, string>;

beforeAll(async () => {
  real = await startRealServer();
  env = { OPENAXON_URL: real.url };
});

afterAll(async () => {
  await real.close();
});

interface AxonJson {
  id: string;
  name: string;
  headSequence: number;
  firstSequence: number;
  retention: { maxAgeMs?: number; maxEvents?: number; maxBytes?: number } | null;
}

// Issue 13 item 6 in the CLI: retention at create and update, first sequence and retention in get.
describe("axon create/update/get with retention", () => {
  it("sets retention in human units, changes single limits, and shows the first sequence", async () => {
    const created = await runAxon(
      ["--json", "create", "--name", "r", "--max-age", "7d", "--max-events", "3", "--max-bytes", "1GiB"],
      { env },
    );
    expect(created.code).toBe(0);
    const [axon] = jsonLines<AxonJson>(created.stdout);
    expect(axon).toMatchObject({
      firstSequence: 1,
      retention: { maxAgeMs: 7 * 86_400_000, maxEvents: 3, maxBytes: 1024 ** 3 },
    });
    const id = axon!.id;
    for (let i = 0; i < 5; i++) {
      expect((await runAxon(["publish", id, "--type", "note", `{"i":${i}}`], { env })).code).toBe(0);
    }
    await real.store.applyRetention();

    const shown = await runAxon(["get", id], { env });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/first\s+3 \(older events were trimmed by retention\)/);
    expect(shown.stdout).toMatch(/retention\s+max age 1w, max events 3, max bytes 1 GiB/);

    const updated = await runAxon(["--json", "update", id, "--max-events", "0", "--name", "renamed"], {
      env,
    });
    expect(updated.code).toBe(0);
    expect(jsonLines<AxonJson>(updated.stdout)[0]).toMatchObject({
      name: "renamed",
      firstSequence: 3,
      retention: { maxAgeMs: 7 * 86_400_000, maxBytes: 1024 ** 3 },
    });
    const cleared = await runAxon(["--json", "update", id, "--no-retention"], { env });
    expect(jsonLines<AxonJson>(cleared.stdout)[0]?.retention).toBeNull();
    expect((await runAxon(["get", id], { env })).stdout).toMatch(/retention\s+keep everything/);

    // Reading trimmed events is an error that says where the axon starts now.
    const trimmed = await runAxon(["events", id, "--after", "1"], { env });
    expect(trimmed.code).not.toBe(0);
    expect(trimmed.stderr).toMatch(/first available sequence is 3/);
  }, 180_000);

  it("refuses bad units and empty updates with a usage error", async () => {
    const bad = await runAxon(["create", "--max-age", "7 days"], { env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--max-age takes a duration such as 7d/);
    const badSize = await runAxon(["create", "--max-bytes", "lots"], { env });
    expect(badSize.stderr).toMatch(/--max-bytes takes a size such as 1GiB/);
    const created = await runAxon(["create"], { env });
    const empty = await runAxon(["update", created.stdout.trim()], { env });
    expect(empty.code).not.toBe(0);
    expect(empty.stderr).toMatch(/nothing to update/);
  }, 120_000);
});
