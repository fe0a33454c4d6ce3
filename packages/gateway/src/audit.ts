import type { Clock, Timer } from "@openaxon/core";
import { EventType } from "@openaxon/protocol/vocabulary";

/** Payload of `gateway.allowed` / `gateway.denied`: where the agent tried to go. Never a secret. */
export interface GatewayAccessPayload {
  readonly runtime_id: string;
  readonly host: string;
  readonly port: number;
  readonly rule: string;
  readonly reason: string;
  /** The address dialled or refused, when one was resolved. */
  readonly address?: string;
  readonly via: "egress-proxy" | "credential-gateway";
  /** The binding's env-var prefix, for credential-gateway events. */
  readonly binding?: string;
}

/** Payload of `gateway.suppressed`: how many access events the rate limit dropped. */
export interface GatewaySuppressedPayload {
  readonly runtime_id: string;
  readonly allowed: number;
  readonly denied: number;
}

export type GatewayAccessEvent = {
  readonly eventType: typeof EventType.GatewayAllowed | typeof EventType.GatewayDenied;
  readonly payload: GatewayAccessPayload;
};

export type GatewayAuditEvent =
  | GatewayAccessEvent
  | { readonly eventType: typeof EventType.GatewaySuppressed; readonly payload: GatewaySuppressedPayload };

/**
 * Receives audit events, to be published as SYSTEM events (`event_type` = `eventType`, payload =
 * JSON of `payload`) into the runtime's axons.
 */
export type AuditSink = (event: GatewayAuditEvent) => void;

export interface AuditLimiterOptions {
  readonly clock: Clock;
  /** Events a runtime may emit back to back. Default 20. */
  readonly burst?: number;
  /** Sustained events per second per runtime. Default 2. */
  readonly perSecond?: number;
}

export interface AuditLimiter {
  record(event: GatewayAccessEvent): void;
  /** Emits pending suppression summaries now, ignoring the limit (e.g. on shutdown). */
  flush(): void;
  /** Flushes and drops a runtime's bucket (when the runtime goes away). */
  forget(runtimeId: string): void;
  close(): void;
}

interface Bucket {
  tokens: number;
  refilledAt: number;
  suppressedAllowed: number;
  suppressedDenied: number;
  timer?: Timer;
}

/**
 * A token bucket per runtime in front of an audit sink, so a looping agent cannot flood its axon.
 * Dropped events are counted, and once the bucket has a token again a `gateway.suppressed`
 * summary reports how many were dropped.
 */
export function createAuditLimiter(sink: AuditSink, options: AuditLimiterOptions): AuditLimiter {
  const { clock } = options;
  const burst = options.burst ?? 20;
  const perSecond = options.perSecond ?? 2;
  const buckets = new Map<string, Bucket>();

  const refill = (bucket: Bucket) => {
    const now = clock.now();
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.refilledAt) * perSecond) / 1000);
    bucket.refilledAt = now;
  };
  const emitSummary = (runtimeId: string, bucket: Bucket) => {
    if (bucket.suppressedAllowed + bucket.suppressedDenied === 0) return;
    const payload = {
      runtime_id: runtimeId,
      allowed: bucket.suppressedAllowed,
      denied: bucket.suppressedDenied,
    };
    bucket.suppressedAllowed = 0;
    bucket.suppressedDenied = 0;
    sink({ eventType: EventType.GatewaySuppressed, payload });
  };
  const scheduleSummary = (runtimeId: string, bucket: Bucket) => {
    if (bucket.timer) return;
    const waitMs = Math.max(1, Math.ceil(((1 - bucket.tokens) * 1000) / perSecond));
    bucket.timer = clock.setTimer(waitMs, () => {
      bucket.timer = undefined;
      refill(bucket);
      if (bucket.tokens < 1) {
        scheduleSummary(runtimeId, bucket);
        return;
      }
      bucket.tokens -= 1;
      emitSummary(runtimeId, bucket);
    });
  };

  return {
    record(event) {
      const runtimeId = event.payload.runtime_id;
      let bucket = buckets.get(runtimeId);
      if (!bucket) {
        bucket = { tokens: burst, refilledAt: clock.now(), suppressedAllowed: 0, suppressedDenied: 0 };
        buckets.set(runtimeId, bucket);
      }
      refill(bucket);
      if (bucket.tokens >= 1 && !bucket.timer) {
        bucket.tokens -= 1;
        sink(event);
        return;
      }
      if (event.eventType === EventType.GatewayAllowed) bucket.suppressedAllowed++;
      else bucket.suppressedDenied++;
      scheduleSummary(runtimeId, bucket);
    },
    flush() {
      for (const [runtimeId, bucket] of buckets) {
        bucket.timer?.cancel();
        bucket.timer = undefined;
        emitSummary(runtimeId, bucket);
      }
    },
    forget(runtimeId) {
      const bucket = buckets.get(runtimeId);
      if (!bucket) return;
      bucket.timer?.cancel();
      emitSummary(runtimeId, bucket);
      buckets.delete(runtimeId);
    },
    close() {
      this.flush();
      buckets.clear();
    },
  };
}

/** Records one access decision; `via` is fixed by whichever server made it. */
export type AccessAudit = (allowed: boolean, payload: Omit<GatewayAccessPayload, "via">) => void;

export function accessAudit(
  limiter: AuditLimiter | undefined,
  via: GatewayAccessPayload["via"],
): AccessAudit {
  return (allowed, payload) =>
    limiter?.record({
      eventType: allowed ? EventType.GatewayAllowed : EventType.GatewayDenied,
      payload: { ...payload, via },
    });
}
