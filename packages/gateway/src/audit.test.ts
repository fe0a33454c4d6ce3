import { ManualClock } from "@openaxon/core/testing";
import { describe, expect, it } from "vitest";
import { createAuditLimiter, type GatewayAccessEvent, type GatewayAuditEvent } from "./audit.js";

const denied = (runtimeId: string): GatewayAccessEvent => ({
  eventType: "gateway.denied",
  payload: {
    runtime_id: runtimeId,
    host: "10.0.0.1",
    port: 80,
    rule: "deny:private",
    reason: "x",
    via: "egress-proxy",
  },
});

describe("createAuditLimiter", () => {
  it("passes a burst, drops the flood, then reports how much it dropped", () => {
    const clock = new ManualClock();
    const out: GatewayAuditEvent[] = [];
    const limiter = createAuditLimiter((e) => out.push(e), { clock, burst: 5, perSecond: 1 });
    for (let i = 0; i < 1000; i++) limiter.record(denied("rt_a"));
    expect(out).toHaveLength(5);
    clock.advance(1000);
    expect(out).toHaveLength(6);
    expect(out[5]).toEqual({
      eventType: "gateway.suppressed",
      payload: { runtime_id: "rt_a", allowed: 0, denied: 995 },
    });
    // Back to normal once the bucket refills.
    clock.advance(10_000);
    limiter.record(denied("rt_a"));
    expect(out).toHaveLength(7);
  });

  it("limits each runtime separately", () => {
    const clock = new ManualClock();
    const out: GatewayAuditEvent[] = [];
    const limiter = createAuditLimiter((e) => out.push(e), { clock, burst: 2, perSecond: 1 });
    for (let i = 0; i < 10; i++) limiter.record(denied("rt_loop"));
    limiter.record(denied("rt_quiet"));
    expect(out.filter((e) => e.payload.runtime_id === "rt_quiet")).toHaveLength(1);
  });

  it("flush reports pending suppressions immediately", () => {
    const clock = new ManualClock();
    const out: GatewayAuditEvent[] = [];
    const limiter = createAuditLimiter((e) => out.push(e), { clock, burst: 1, perSecond: 1 });
    limiter.record(denied("rt_a"));
    limiter.record(denied("rt_a"));
    limiter.close();
    expect(out.map((e) => e.eventType)).toEqual(["gateway.denied", "gateway.suppressed"]);
    clock.advance(5000);
    expect(out).toHaveLength(2);
  });
});
