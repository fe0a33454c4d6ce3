import { EventType } from "@openaxon/protocol/vocabulary";
import type { TimelineItem } from "./timeline-model.js";

/** One row of an axon's gateway audit: a connection the gateway allowed or denied, or a rate-limited gap. */
export interface GatewayAuditRow {
  readonly sequence: number;
  readonly timestampMs: number;
  readonly decision: "allowed" | "denied" | "suppressed";
  readonly runtimeId: string;
  /** host:port, or for a suppressed gap how many events the rate limit dropped. */
  readonly target: string;
  readonly reason: string;
}

const DECISIONS: Readonly<Record<string, GatewayAuditRow["decision"]>> = {
  [EventType.GatewayAllowed]: "allowed",
  [EventType.GatewayDenied]: "denied",
  [EventType.GatewaySuppressed]: "suppressed",
};

/** The gateway's audit events among the timeline's items, oldest first. */
export function gatewayAudit(items: readonly TimelineItem[]): GatewayAuditRow[] {
  const rows: GatewayAuditRow[] = [];
  for (const item of items) {
    if (item.kind !== "event") continue;
    const event = item.events[0]!;
    const decision = DECISIONS[event.eventType];
    if (decision === undefined) continue;
    const data = parse(event.payload);
    rows.push({
      sequence: event.sequence,
      timestampMs: event.timestampMs,
      decision,
      runtimeId: String(data.runtime_id ?? ""),
      target:
        decision === "suppressed"
          ? `${Number(data.allowed ?? 0)} allowed, ${Number(data.denied ?? 0)} denied not recorded`
          : `${String(data.host ?? "?")}:${String(data.port ?? "?")}`,
      reason: decision === "suppressed" ? "audit rate limit" : String(data.reason ?? ""),
    });
  }
  return rows;
}

function parse(payload: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(payload);
    return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
