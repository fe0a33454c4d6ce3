import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentProtocol, Origin } from "@openaxon/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type AxondProcess, startAxondProcess } from "./support/axond-process.js";
import { payloadOf, reply, say, serviceClients, startFakeHost } from "./support/gateway-e2e.js";

// The operator's series of /metrics (issue 13 item 4) on a real axond child process: they move as
// the user-visible things happen — a publish is fsynced in a group commit, a runtime starts and shuts
// down, a stdio agent's turn completes, the egress proxy denies the agent a loopback address.

/** A one-shot stdio agent: asks the proxy for a loopback URL (denied by the default policy). */
const AGENT = `code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 --noproxy '' "$DENIED_URL/x"); echo "denied=$code"`;

let dataDir: string;
let axond: AxondProcess | undefined;
const hosts: Awaited<ReturnType<typeof startFakeHost>>[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "axond-metrics-"));
});
afterEach(async () => {
  await axond?.stop("SIGKILL");
  axond = undefined;
  for (const host of hosts.splice(0)) await host.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function scrape(): Promise<string> {
  const response = await fetch(`${axond!.url}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

/** The value of one sample, e.g. `openaxon_runtimes{status="running"}`; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const value = async (series: string) => sample(await scrape(), series);

describe.skipIf(process.platform !== "linux")("axond's operator metrics (issue 13)", () => {
  it("fsync and group commit histograms, store size, runtimes by status, turns by outcome, gateway decisions", async () => {
    const denied = await startFakeHost("denied");
    hosts.push(denied);
    axond = await startAxondProcess({
      args: ["--listen", "127.0.0.1:0", "--data-dir", dataDir, "--sandbox", "off"],
    });
    const { axons, runtimes } = serviceClients(axond.url);

    const before = await scrape();
    expect(sample(before, 'openaxon_runtimes{status="running"}')).toBe(0);
    expect(
      sample(before, 'openaxon_turns_total{outcome="completed",stop_reason="end_turn"}'),
    ).toBeUndefined();
    expect(sample(before, "openaxon_store_size_bytes")).toBeGreaterThan(0);
    const fsyncsBefore = sample(before, "openaxon_store_fsync_duration_seconds_count") ?? 0;
    const eventsBefore = sample(before, "openaxon_store_group_commit_events_sum") ?? 0;

    // A publish: one more durable write, appending one event.
    const axonId = (await axons.createAxon({ name: "metrics" })).axon!.id;
    await axons.publish({
      axonId,
      origin: Origin.EXTERNAL_EVENT,
      source: "test",
      eventType: "note",
      payload: JSON.stringify({ big: "x".repeat(200_000) }),
    });
    const published = await scrape();
    expect(sample(published, "openaxon_store_fsync_duration_seconds_count")).toBeGreaterThanOrEqual(
      fsyncsBefore + 2, // the axon's creation and the publish
    );
    expect(sample(published, "openaxon_store_group_commit_events_sum")).toBeGreaterThanOrEqual(
      eventsBefore + 1,
    );
    expect(sample(published, "openaxon_store_group_commit_commits_count")).toBe(
      sample(published, "openaxon_store_fsync_duration_seconds_count"),
    );
    // LevelDB's log holds the 200 kB payload now.
    expect(sample(published, "openaxon_store_size_bytes")).toBeGreaterThan(
      sample(before, "openaxon_store_size_bytes")! + 200_000,
    );

    // A runtime: running while it lives, shutdown after.
    const { runtime } = await runtimes.createRuntime({
      name: "curl",
      mounts: [{ axonId, protocol: AgentProtocol.STDIO, agentBinary: "sh", launchArgs: ["-c", AGENT] }],
      env: { DENIED_URL: denied.url },
    });
    expect(await value('openaxon_runtimes{status="running"}')).toBe(1);

    // A turn: the agent's curl is denied by the proxy, then the turn completes.
    const trigger = await say(axons, axonId, "probe");
    const turn = await reply(axons, axonId, trigger);
    expect(turn.text.trim()).toBe("denied=403");
    expect(payloadOf(turn.end)).toMatchObject({ stop_reason: "end_turn" });
    expect(denied.requests).toEqual([]);
    await vi.waitFor(async () => {
      const text = await scrape();
      expect(sample(text, 'openaxon_turns_total{outcome="completed",stop_reason="end_turn"}')).toBe(1);
      expect(sample(text, 'openaxon_gateway_decisions_total{decision="denied",via="egress-proxy"}')).toBe(1);
    });

    await runtimes.shutdownRuntime({ id: runtime!.id });
    const after = await scrape();
    expect(sample(after, 'openaxon_runtimes{status="running"}')).toBe(0);
    expect(sample(after, 'openaxon_runtimes{status="shutdown"}')).toBe(1);
    expect(sample(after, 'openaxon_turns_total{outcome="completed",stop_reason="end_turn"}')).toBe(1);
    expect(after).toMatch(/^# TYPE openaxon_store_fsync_duration_seconds histogram$/m);
    expect(after).toMatch(/^# TYPE openaxon_turns_total counter$/m);

    // The turn's end is logged once with its turn id (turn_<trigger sequence>); the broker was
    // started by CreateRuntime, but that call had ended, so the line carries no request id.
    const exit = await axond.stop("SIGTERM");
    axond = undefined;
    const ended = exit.stderr
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === "turn ended");
    expect(ended).toEqual([
      {
        ...ended[0],
        component: "broker",
        axonId,
        turnId: `turn_${trigger}`,
        outcome: "completed",
        stopReason: "end_turn",
      },
    ]);
    expect(ended[0]).not.toHaveProperty("requestId");
  });
});
