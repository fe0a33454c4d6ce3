import { AuthMechanismType } from "@openaxon/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { call, endpoint, SECRET, startTestGateway } from "../src/test-support/gateway-harness.js";
import { startFakeUpstream } from "../src/test-support/servers.js";

// Checklist 11: binding A's token sent to binding B's URL is refused — as is a token from another
// runtime or a revoked one — with 403 and an audit event.
describe("checklist 11: token laundering", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function setup() {
    const upstreamA = await startFakeUpstream((req, res) =>
      res.end(req.headers.authorization === `Bearer ${SECRET}` ? "A ok" : "A denied"),
    );
    const upstreamB = await startFakeUpstream((_req, res) => res.end("B"));
    cleanups.push(upstreamA.close, upstreamB.close);
    const t = await startTestGateway();
    cleanups.push(t.close);
    const a = t.gateway.registerBinding({
      runtimeId: "rt_a",
      prefix: "GWS_A",
      gateway: endpoint(`http://127.0.0.1:${upstreamA.port}`),
      secret: SECRET,
    });
    const b = t.gateway.registerBinding({
      runtimeId: "rt_a",
      prefix: "GWS_B",
      gateway: endpoint(`http://127.0.0.1:${upstreamB.port}`),
      secret: "another-secret-value-42",
    });
    const other = t.gateway.registerBinding({
      runtimeId: "rt_other",
      prefix: "GWS_A",
      gateway: endpoint(`http://127.0.0.1:${upstreamA.port}`),
      secret: SECRET,
    });
    return { t, a, b, other, upstreamA, upstreamB };
  }

  it("the right token on the right binding gets the secret injected", async () => {
    const { a, upstreamA } = await setup();
    expect(a.token).toMatch(/^gws_[A-Za-z0-9_-]{43}$/);
    const response = await call(`${a.url()}/v1/messages`, {
      headers: { authorization: `Bearer ${a.token}` },
    });
    expect(response).toMatchObject({ status: 200, body: "A ok" });
    expect(upstreamA.requests[0]!.url).toBe("/v1/messages");
  });

  it("binding A's token at binding B's URL: 403, nothing forwarded, audited", async () => {
    const { t, a, b, upstreamB } = await setup();
    const response = await call(`${b.url()}/anything`, { headers: { authorization: `Bearer ${a.token}` } });
    expect(response.status).toBe(403);
    expect(upstreamB.requests).toEqual([]);
    expect(t.access_events()).toMatchObject([
      {
        type: "gateway.denied",
        runtime_id: "rt_a",
        rule: "deny:wrong-binding",
        via: "credential-gateway",
        binding: "GWS_B",
      },
    ]);
    expect(JSON.stringify(t.events)).not.toContain(a.token);
  });

  it("another runtime's token for the same gateway is refused", async () => {
    const { t, a, other, upstreamA } = await setup();
    const response = await call(`${a.url()}/x`, { headers: { authorization: `Bearer ${other.token}` } });
    expect(response.status).toBe(403);
    expect(upstreamA.requests).toEqual([]);
    expect(t.access_events()[0]).toMatchObject({ runtime_id: "rt_other", rule: "deny:wrong-binding" });
  });

  it("revoking a runtime revokes its tokens; forged and missing tokens are refused", async () => {
    const { t, a, other, upstreamA } = await setup();
    t.gateway.revokeRuntime("rt_a");
    expect((await call(`${a.url()}/x`, { headers: { authorization: `Bearer ${a.token}` } })).status).toBe(
      403,
    );
    expect((await call(`${other.url()}/x`, { headers: { authorization: `Bearer ${a.token}` } })).status).toBe(
      403,
    );
    expect((await call(`${other.url()}/x`, { headers: { authorization: "Bearer gws_forged" } })).status).toBe(
      403,
    );
    expect((await call(`${other.url()}/x`)).status).toBe(401);
    expect(upstreamA.requests).toEqual([]);
    expect(t.access_events().map((e) => [e.runtime_id, e.rule])).toEqual([
      ["rt_a", "deny:revoked"],
      ["rt_a", "deny:revoked-token"],
      ["rt_other", "deny:invalid-token"],
      ["rt_other", "deny:missing-token"],
    ]);
  });

  it("the token only counts in the position the gateway config names", async () => {
    const upstream = await startFakeUpstream((req, res) => res.end(String(req.headers["x-api-key"])));
    cleanups.push(upstream.close);
    const t = await startTestGateway();
    cleanups.push(t.close);
    const binding = t.gateway.registerBinding({
      runtimeId: "rt_a",
      prefix: "GWS_ANTHROPIC",
      gateway: endpoint(`http://127.0.0.1:${upstream.port}`, {
        authMechanism: { type: AuthMechanismType.HEADER, key: "x-api-key" },
      }),
      secret: SECRET,
    });
    expect(
      (await call(binding.url(), { headers: { authorization: `Bearer ${binding.token}` } })).status,
    ).toBe(401);
    const ok = await call(`${binding.url()}/v1/messages`, { headers: { "x-api-key": binding.token } });
    expect(ok.status).toBe(200);
    expect(upstream.requests.at(-1)!.headers["x-api-key"]).toBe(SECRET);
  });
});
