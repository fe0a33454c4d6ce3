import type { Axon, Event, Origin } from "@openaxon/protocol";
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
