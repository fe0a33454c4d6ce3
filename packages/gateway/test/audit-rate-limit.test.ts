import { systemRng } from "@openaxon/core";
import { ManualClock } from "@openaxon/core/testing";
import { createAuditLimiter, type GatewayAuditEvent, startEgressProxy } from "@openaxon/gateway";
import { afterEach, describe, expect, it } from "vitest";
import { RecordingDialer, TableResolver } from "../src/test-support/network-doubles.js";
import { basicAuth, openTunnel } from "../src/test-support/raw-http.js";

// Every allowed and denied connection becomes gateway.allowed / gateway.denied — host, port, rule,
// reason, never a secret — rate-limited so a looping agent cannot flood the log.
describe("audit events from the proxy", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it("a looping agent gets its burst, then one summary of what was dropped", async () => {
    const clock = new ManualClock();
    const events: GatewayAuditEvent[] = [];
    const proxy = await startEgressProxy({
      clock,
      rng: systemRng,
      resolver: new TableResolver({}),
      dialer: new RecordingDialer().dial,
      auditLimiter: createAuditLimiter((e) => events.push(e), { clock, burst: 10, perSecond: 1 }),
      hostAddresses: () => [],
    });
    cleanups.push(() => proxy.close());
    const access = proxy.registerRuntime({ runtimeId: "rt_loop" });
    const auth = basicAuth(access.username, access.password);
    for (let i = 0; i < 60; i++)
      expect((await openTunnel(proxy.port, "10.0.0.1:443", auth)).status).toBe(403);
    expect(events).toHaveLength(10);
    expect(events[0]).toEqual({
      eventType: "gateway.denied",
      payload: {
        runtime_id: "rt_loop",
        host: "10.0.0.1",
        port: 443,
        rule: "deny:private",
        reason: "private address 10.0.0.1 needs a CIDR rule",
        address: "10.0.0.1",
        via: "egress-proxy",
      },
    });
    clock.advance(1000);
    expect(events.at(-1)).toEqual({
      eventType: "gateway.suppressed",
      payload: { runtime_id: "rt_loop", allowed: 0, denied: 50 },
    });
    expect(JSON.stringify(events)).not.toContain(access.password);
  });
});
