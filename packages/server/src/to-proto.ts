import { create } from "@bufbuild/protobuf";
import { type Axon, type Event, type Origin, RetentionSchema } from "@openaxon/protocol";
import type { AxonRecord, StoredEvent } from "@openaxon/store";

/** Wire shapes without $typeName: Connect accepts init shapes, and they are cheaper to build. */
export type AxonInit = Omit<Axon, "$typeName">;
export type EventInit = Omit<Event, "$typeName">;

export function axonToProto(axon: AxonRecord): AxonInit {
  return {
    id: axon.id,
    name: axon.name,
    createdAtMs: BigInt(axon.createdAtMs),
    headSequence: BigInt(axon.headSequence),
    labels: { ...axon.labels },
    firstSequence: BigInt(axon.firstSequence),
    ...(axon.retention && {
      retention: create(RetentionSchema, {
        maxAgeMs: BigInt(axon.retention.maxAgeMs ?? 0),
        maxEvents: BigInt(axon.retention.maxEvents ?? 0),
        maxBytes: BigInt(axon.retention.maxBytes ?? 0),
      }),
    }),
  };
}

export function eventToProto(event: StoredEvent): EventInit {
  return {
    sequence: BigInt(event.sequence),
    axonId: event.axonId,
    timestampMs: BigInt(event.timestampMs),
    origin: event.origin as number as Origin,
    source: event.source,
    eventType: event.eventType,
    payload: event.payload,
  };
}
