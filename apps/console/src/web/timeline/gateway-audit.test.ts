import type { AxonEvent, OriginName } from "@openaxon/client";
import { EventType } from "@openaxon/protocol/vocabulary";
import { describe, expect, it } from "vitest";
import { gatewayAudit } from "./gateway-audit.js";
import { TimelineModel } from "./timeline-model.js";

function event(
  sequence: number,
  eventType: string,
  payload: object,
  origin: OriginName = "system",
): AxonEvent {
  const text = JSON.stringify(payload);
  return {
    sequence,
    axonId: "axn_1",
    timestampMs: sequence * 1_000,
    origin,
    source: "gateway",
    eventType,
    payload: text,
    data: () => JSON.parse(text),
  };
}

describe("gatewayAudit", () => {
  it("keeps only the gateway's decisions, oldest first, with suppressed gaps counted", () => {
    const model = new TimelineModel();
    model.append([
      event(1, EventType.GatewayAllowed, {
        runtime_id: "rt_1",
        host: "a.example",
        port: 443,
        reason: "listed",
      }),
      event(2, "build.step", { host: "not.audit" }, "external"),
      event(3, EventType.GatewayDenied, {
        runtime_id: "rt_1",
        host: "10.0.0.1",
        port: 22,
        reason: "private",
      }),
      event(4, EventType.GatewaySuppressed, { runtime_id: "rt_1", allowed: 3, denied: 995 }),
    ]);
    expect(gatewayAudit(model.items)).toEqual([
      {
        sequence: 1,
        timestampMs: 1_000,
        decision: "allowed",
        runtimeId: "rt_1",
        target: "a.example:443",
        reason: "listed",
      },
      {
        sequence: 3,
        timestampMs: 3_000,
        decision: "denied",
        runtimeId: "rt_1",
        target: "10.0.0.1:22",
        reason: "private",
      },
      {
        sequence: 4,
        timestampMs: 4_000,
        decision: "suppressed",
        runtimeId: "rt_1",
        target: "3 allowed, 995 denied not recorded",
        reason: "audit rate limit",
      },
    ]);
  });
});
