import type { Client } from "@connectrpc/connect";
import type { AxonService, SqlService } from "@openaxon/protocol";
import type { AppendProducer } from "./append-producer.js";
import { type AxonSql, createAxonSql } from "./axon-sql.js";
import { originValue, toAxon, toEvent, toSafeNumber, toUint64 } from "./convert.js";
import { asEventsTrimmed } from "./errors.js";
import { encodePayload } from "./payload.js";
import { type SubscribeDefaults, type SubscribeOptions, subscribeResilient } from "./subscribe.js";
import { messageFrames, type OpenSubscribeFrames } from "./subscribe-frames.js";
import type {
  Axon,
  AxonEvent,
  CallOptions,
  EventInput,
  EventPage,
  ListEventsOptions,
  PublishBatchOptions,
  PublishBatchResult,
  PublishInput,
  PublishResult,
} from "./types.js";

/** One axon: `client.axon(id)`. Creating a handle makes no call. */
export interface AxonHandle {
  readonly id: string;
  get(options?: CallOptions): Promise<Axon>;
  /** Appends one event; resolves once it is durable. */
  publish(input: PublishInput, options?: CallOptions): Promise<PublishResult>;
  /** Appends events atomically with consecutive sequences: all of them or none. */
  publishBatch(
    events: readonly EventInput[],
    batch?: PublishBatchOptions,
    options?: CallOptions,
  ): Promise<PublishBatchResult>;
  /** One page of stored events. */
  events(query?: ListEventsOptions, options?: CallOptions): Promise<EventPage>;
  /**
   * Replays events after `afterSequence`, then follows live, forever: retryable failures
   * reconnect with backoff and resume after the last delivered event. Ends when `signal` aborts
   * or the loop breaks; throws on errors retrying cannot fix (NOT_FOUND, UNAUTHENTICATED, …).
   */
  subscribe(options?: SubscribeOptions): AsyncIterable<AxonEvent>;
  /** The axon's own SQLite database (queries, atomic batches, the read-only `axon_events` table). */
  readonly sql: AxonSql;
}

export interface AxonHandleDefaults extends SubscribeDefaults {
  readonly source: string;
  /** When set, publish() calls without call options go through the Append session. */
  readonly producer?: AppendProducer | undefined;
  /** SqlService on the same transport. */
  readonly sqlRpc?: Client<typeof SqlService> | undefined;
  /** How Subscribe streams are opened and decoded; protobuf-es messages when unset. */
  readonly subscribeFrames?: OpenSubscribeFrames | undefined;
}

export function createAxonHandle(
  rpc: Client<typeof AxonService>,
  id: string,
  defaults: AxonHandleDefaults,
): AxonHandle {
  const toWireEvent = (input: EventInput) => ({
    origin: originValue(input.origin ?? "user"),
    source: input.source ?? defaults.source,
    eventType: input.eventType,
    payload: encodePayload(input.payload),
  });
  const expectedHead = (value: number | undefined) =>
    value === undefined ? undefined : toUint64(value, "expectedHead");

  return {
    id,
    async get(options) {
      const response = await rpc.getAxon({ id }, options);
      return toAxon(response.axon);
    },
    async publish(input, options) {
      // Call options (signal, timeout) only have their meaning on a call of one's own.
      if (defaults.producer && options === undefined) {
        return defaults.producer.publish(id, toWireEvent(input), {
          expectedHead: expectedHead(input.expectedHead),
          idempotencyKey: input.idempotencyKey ?? "",
        });
      }
      const response = await rpc.publish(
        {
          axonId: id,
          ...toWireEvent(input),
          idempotencyKey: input.idempotencyKey ?? "",
          expectedHead: expectedHead(input.expectedHead),
        },
        options,
      );
      return {
        sequence: toSafeNumber(response.sequence, "sequence"),
        timestampMs: toSafeNumber(response.timestampMs, "timestamp_ms"),
        duplicate: response.duplicate,
      };
    },
    async publishBatch(events, batch = {}, options) {
      const response = await rpc.publishBatch(
        {
          axonId: id,
          events: events.map(toWireEvent),
          expectedHead: expectedHead(batch.expectedHead),
          idempotencyKey: batch.idempotencyKey ?? "",
        },
        options,
      );
      return {
        firstSequence: toSafeNumber(response.firstSequence, "first_sequence"),
        lastSequence: toSafeNumber(response.lastSequence, "last_sequence"),
        timestampMs: toSafeNumber(response.timestampMs, "timestamp_ms"),
        duplicate: response.duplicate,
      };
    },
    async events(query = {}, options) {
      const response = await rpc
        .listEvents(
          {
            axonId: id,
            afterSequence: toUint64(query.afterSequence ?? 0, "afterSequence"),
            limit: query.limit ?? 0,
            descending: query.descending ?? false,
          },
          options,
        )
        .catch((error: unknown) => {
          throw asEventsTrimmed(error);
        });
      return {
        events: response.events.map(toEvent),
        hasMore: response.hasMore,
        headSequence: toSafeNumber(response.headSequence, "head_sequence"),
      };
    },
    subscribe(options = {}) {
      return subscribeResilient(defaults.subscribeFrames ?? messageFrames(rpc), id, options, defaults);
    },
    get sql(): AxonSql {
      if (!defaults.sqlRpc) throw new TypeError("this axon handle has no SQL client");
      return createAxonSql(defaults.sqlRpc, id);
    },
  };
}
