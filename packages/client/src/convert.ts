import {
  type Axon as AxonMessage,
  type Event as EventMessage,
  Origin as OriginEnum,
} from "@openaxon/protocol";
import type { Axon, AxonEvent, OriginName, PublishOrigin, Retention } from "./types.js";

/** Wire uint64/int64 → number, refusing to round (see types.ts for why numbers). */
export function toSafeNumber(value: bigint, field: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`${field} ${value} is beyond Number.MAX_SAFE_INTEGER`);
  }
  return Number(value);
}

/** number → wire uint64, rejecting what the server could only misread. */
export function toUint64(value: number, field: string): bigint {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${field} must be a non-negative safe integer, got ${value}`);
  }
  return BigInt(value);
}

const originNames: Record<OriginEnum, OriginName> = {
  [OriginEnum.UNSPECIFIED]: "unspecified",
  [OriginEnum.EXTERNAL_EVENT]: "external",
  [OriginEnum.AGENT_EVENT]: "agent",
  [OriginEnum.USER_EVENT]: "user",
  [OriginEnum.SYSTEM_EVENT]: "system",
};

const originValues: Record<OriginName, OriginEnum> = {
  unspecified: OriginEnum.UNSPECIFIED,
  external: OriginEnum.EXTERNAL_EVENT,
  agent: OriginEnum.AGENT_EVENT,
  user: OriginEnum.USER_EVENT,
  system: OriginEnum.SYSTEM_EVENT,
};

export function originName(origin: OriginEnum): OriginName {
  return originNames[origin] ?? "unspecified";
}

export function originValue(origin: OriginName | PublishOrigin): OriginEnum {
  const value = originValues[origin];
  if (value === undefined) {
    throw new TypeError(`unknown origin "${origin}" (expected user, external or agent)`);
  }
  return value;
}

export function toAxon(message: AxonMessage | undefined): Axon {
  if (!message) throw new TypeError("server response is missing the axon");
  return {
    id: message.id,
    name: message.name,
    createdAtMs: toSafeNumber(message.createdAtMs, "created_at_ms"),
    headSequence: toSafeNumber(message.headSequence, "head_sequence"),
    firstSequence: toSafeNumber(message.firstSequence, "first_sequence"),
    labels: { ...message.labels },
    ...(message.retention && { retention: fromWireRetention(message.retention) }),
  };
}

function fromWireRetention(wire: { maxAgeMs: bigint; maxEvents: bigint; maxBytes: bigint }): Retention {
  const out: { maxAgeMs?: number; maxEvents?: number; maxBytes?: number } = {};
  if (wire.maxAgeMs > 0n) out.maxAgeMs = toSafeNumber(wire.maxAgeMs, "max_age_ms");
  if (wire.maxEvents > 0n) out.maxEvents = toSafeNumber(wire.maxEvents, "max_events");
  if (wire.maxBytes > 0n) out.maxBytes = toSafeNumber(wire.maxBytes, "max_bytes");
  return out;
}

/** The wire form of a retention: every limit present, 0 for off. */
export function toWireRetention(retention: Retention): {
  maxAgeMs: bigint;
  maxEvents: bigint;
  maxBytes: bigint;
} {
  return {
    maxAgeMs: toUint64(retention.maxAgeMs ?? 0, "retention.maxAgeMs"),
    maxEvents: toUint64(retention.maxEvents ?? 0, "retention.maxEvents"),
    maxBytes: toUint64(retention.maxBytes ?? 0, "retention.maxBytes"),
  };
}

/** A prototype method instead of a per-event closure: replays can surface millions of events. */
export class EventRecord implements AxonEvent {
  constructor(
    readonly sequence: number,
    readonly axonId: string,
    readonly timestampMs: number,
    readonly origin: OriginName,
    readonly source: string,
    readonly eventType: string,
    readonly payload: string,
  ) {}

  data<T = unknown>(): T {
    return JSON.parse(this.payload) as T;
  }
}

export function toEvent(message: EventMessage): AxonEvent {
  return new EventRecord(
    toSafeNumber(message.sequence, "sequence"),
    message.axonId,
    toSafeNumber(message.timestampMs, "timestamp_ms"),
    originName(message.origin),
    message.source,
    message.eventType,
    message.payload,
  );
}
