import { afterEach, describe, expect, test } from "vitest";
import { follow } from "./support/follow.js";
import { type Harness, startHarness, userEvent } from "./support/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function scrape(
  url: string,
  apiKey?: string,
): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(
    `${url}/metrics`,
    apiKey ? { headers: { authorization: `Bearer ${apiKey}` } } : {},
  );
  return { status: response.status, type: response.headers.get("content-type"), text: await response.text() };
}

/** The value of one sample line, e.g. `openaxon_rpc_total{method="Publish",code="ok"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("/metrics (issue 13)", () => {
  test("counts RPCs by method and code, publishes and their latency, subscribers; exposes process metrics", async () => {
    h = await startHarness();
    const axonId = (await h.client.createAxon({})).axon!.id;
    await h.client.publish({ axonId, ...userEvent({ n: 1 }) }); // gRPC fast path
    await h.clientFor("connect-h2").publish({ axonId, ...userEvent({ n: 2 }) }); // Connect
    await h
      .clientFor("connect-h1")
      .publishBatch({ axonId, events: [userEvent({ n: 3 }), userEvent({ n: 4 })] });
    await expect(h.client.getAxon({ id: "axn_0000000000zzzzzzzzzzzzzzzz" })).rejects.toThrow();
    const sub = follow(h.clientFor("connect-h2"), { axonId });
    await sub.waitForEvents(4);

    const open = await scrape(h.server.url);
    expect(open.status).toBe(200);
    expect(open.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = open.text;
    expect(sample(text, 'openaxon_rpc_total{method="Publish",code="ok"}')).toBe(2);
    expect(sample(text, 'openaxon_rpc_total{method="PublishBatch",code="ok"}')).toBe(1);
    expect(sample(text, 'openaxon_rpc_total{method="GetAxon",code="not_found"}')).toBe(1);
    expect(sample(text, "openaxon_publish_total")).toBe(3);
    expect(sample(text, "openaxon_published_events_total")).toBe(4);
    expect(sample(text, "openaxon_publish_duration_seconds_count")).toBe(3);
    expect(sample(text, "openaxon_axons_created_total")).toBe(1);
    expect(sample(text, "openaxon_subscribers")).toBe(1);
    expect(text).toMatch(/^# HELP openaxon_publish_duration_seconds /m);
    expect(text).toMatch(/^# TYPE openaxon_publish_duration_seconds histogram$/m);
    expect(sample(text, "process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);

    await sub.cancel();
    await expect.poll(async () => sample((await scrape(h!.server.url)).text, "openaxon_subscribers")).toBe(0);
    await expect
      .poll(async () =>
        sample((await scrape(h!.server.url)).text, 'openaxon_rpc_total{method="Subscribe",code="canceled"}'),
      )
      .toBe(1);
  });

  test("with API keys configured, a scrape needs one (any scope); /healthz stays open", async () => {
    h = await startHarness({ apiKeys: ["admin-key", { key: "reader", scopes: ["read"] }] });
    expect((await scrape(h.server.url)).status).toBe(401);
    expect((await scrape(h.server.url, "wrong")).status).toBe(401);
    const withKey = await scrape(h.server.url, "reader");
    expect(withKey.status).toBe(200);
    expect(withKey.text).toMatch(/^openaxon_subscribers 0$/m);
    expect((await fetch(`${h.server.url}/healthz`)).status).toBe(200);
  });
});
