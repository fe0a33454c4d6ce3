import type { ConnectRouter, HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { type Clock, systemClock } from "@openaxon/core";
import { AxonService, type SubscribeRequest } from "@openaxon/protocol";
import type { LogStore, StoredEvent } from "@openaxon/store";
import { type Logger, pino } from "pino";
import { appendSession, DEFAULT_MAX_UNACKED_BYTES } from "./append-session.js";
import { AxonDeletions } from "./axon-deletions.js";
import { usesBinaryCodec } from "./binary-codec.js";
import { axonNotFound, toConnectError } from "./errors.js";
import { FrameBudget } from "./frame-budget.js";
import type { ServerMetrics } from "./metrics.js";
import { decodePageToken, encodePageToken } from "./page-token.js";
import { principalKey } from "./scope-interceptor.js";
import { DEFAULT_FRAME_BUDGET_BYTES, type SubscribeFrame, subscribeStream } from "./subscribe-stream.js";
import { axonToProto, eventToProto } from "./to-proto.js";
import { validateCreateAxon, validateUpdateAxon } from "./validate-axon.js";
import { clampPageSize, requireAxonId, toSequence } from "./validate-fields.js";
import {
  DEFAULT_MAX_PAYLOAD_BYTES,
  validatePublishBatchRequest,
  validatePublishRequest,
} from "./validate-publish.js";

export const DEFAULT_HEARTBEAT_INTERVAL_MS = 15_000;
export const DEFAULT_PAGE_SIZE = 100;
/** Larger page_size / limit values are clamped to this, not rejected. */
export const MAX_PAGE_SIZE = 1000;

export interface AxonServiceOptions {
  store: LogStore;
  /** Heartbeat timers run on this clock. Default: systemClock. */
  clock?: Clock;
  /** Default: silent. */
  logger?: Logger;
  /** A Subscribe stream with nothing to send for this long gets a Heartbeat. Default 15 s. */
  heartbeatIntervalMs?: number;
  /** Largest accepted payload, in UTF-8 bytes. Default 4 MiB. */
  maxPayloadBytes?: number;
  /** Live events buffered per slow subscriber before it falls back to store reads. Default: the store's. */
  liveBufferLimit?: number;
  /** Append sessions stop reading while this many event bytes are unacknowledged. Default 16 MiB. */
  maxUnackedBytes?: number;
  /** Aborting it ends open Subscribe streams with UNAVAILABLE (graceful shutdown). */
  shutdownSignal?: AbortSignal;
  /** Bytes of Subscribe frames in flight across all streams (see FrameBudget). Default 32 MiB. */
  frameBudgetBytes?: number;
  /**
   * Shared with Subscribe streams served outside Connect (the gRPC fast path), so they count
   * against the same budget and end when an axon is deleted. Default: the service's own.
   */
  subscribeShared?: SubscribeShared;
  /** Runs after DeleteAxon deleted an axon, before it answers (e.g. deleting its SQL database). */
  onAxonDeleted?: (axonId: string) => Promise<void>;
  /** Prometheus metrics to update (subscribers, fell_behind, frame bytes in flight). */
  metrics?: ServerMetrics;
}

/** State every Subscribe stream of a server shares, whichever path serves it. */
export interface SubscribeShared {
  readonly frameBudget: FrameBudget;
  readonly deletions: AxonDeletions;
}

export function createSubscribeShared(
  options: Pick<AxonServiceOptions, "frameBudgetBytes">,
): SubscribeShared {
  return {
    frameBudget: new FrameBudget(options.frameBudgetBytes ?? DEFAULT_FRAME_BUDGET_BYTES),
    deletions: new AxonDeletions(),
  };
}

/**
 * Subscribe with binary (pre-encoded) frames for a transport that writes them itself, with the
 * same options the service's own Subscribe uses.
 */
export function binarySubscribe(
  options: AxonServiceOptions & { subscribeShared: SubscribeShared },
): (
  request: SubscribeRequest,
  signal: AbortSignal,
  liveSink?: (commit: readonly StoredEvent[]) => boolean,
) => AsyncIterable<SubscribeFrame> {
  const { frameBudget, deletions } = options.subscribeShared;
  return (request, signal, liveSink) =>
    subscribeStream(request, {
      store: options.store,
      clock: options.clock ?? systemClock,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
      liveBufferLimit: options.liveBufferLimit,
      signal,
      shutdownSignal: options.shutdownSignal,
      deletions,
      binaryCodec: true,
      frameBudget,
      liveSink,
      ...(options.metrics && { metrics: options.metrics }),
    });
}

/** The AxonService implementation, for a ConnectRouter or `createRouterTransport`. */
export function createAxonService(options: AxonServiceOptions): ServiceImpl<typeof AxonService> {
  const { store } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? pino({ level: "silent" });
  const { frameBudget, deletions } = options.subscribeShared ?? createSubscribeShared(options);
  options.metrics?.watchFrameBytes(() => frameBudget.bytesInFlight);
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  const maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;

  /** Every unary RPC body runs through this, so store errors get their documented codes. */
  const guarded = async <T>(rpc: string, body: () => Promise<T>): Promise<T> => {
    try {
      return await body();
    } catch (error) {
      throw toConnectError(error, logger, rpc);
    }
  };

  return {
    createAxon: (request) =>
      guarded("CreateAxon", async () => {
        const axon = await store.createAxon(validateCreateAxon(request));
        return { axon: axonToProto(axon) };
      }),

    getAxon: (request) =>
      guarded("GetAxon", async () => {
        const id = requireAxonId(request.id, "id");
        const axon = await store.getAxon(id);
        if (!axon) throw axonNotFound(id);
        return { axon: axonToProto(axon) };
      }),

    listAxons: (request) =>
      guarded("ListAxons", async () => {
        const limit = clampPageSize(request.pageSize, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
        const afterId = decodePageToken(request.pageToken);
        // One extra tells whether another page exists, so the last page carries no token.
        const axons = await store.listAxons({
          limit: limit + 1,
          ...(request.namePrefix !== "" && { namePrefix: request.namePrefix }),
          ...(afterId !== undefined && { afterId }),
        });
        const page = axons.slice(0, limit);
        const hasMore = axons.length > limit;
        return {
          axons: page.map(axonToProto),
          nextPageToken: hasMore ? encodePageToken(page[page.length - 1]!.id) : "",
        };
      }),

    updateAxon: (request) =>
      guarded("UpdateAxon", async () => {
        const { id, update } = validateUpdateAxon(request);
        const axon = await store.updateAxon(id, update);
        if (!axon) throw axonNotFound(id);
        return { axon: axonToProto(axon) };
      }),

    deleteAxon: (request) =>
      guarded("DeleteAxon", async () => {
        const id = requireAxonId(request.id, "id");
        if (!(await store.deleteAxon(id))) throw axonNotFound(id);
        deletions.notify(id);
        await options.onAxonDeleted?.(id);
        return {};
      }),

    publish: (request) =>
      guarded("Publish", async () => {
        const { axonId, events, options: appendOptions } = validatePublishRequest(request, maxPayloadBytes);
        const result = await store.append(axonId, events, appendOptions);
        return {
          sequence: BigInt(result.firstSequence),
          timestampMs: BigInt(result.timestampMs),
          duplicate: result.duplicate,
        };
      }),

    publishBatch: (request) =>
      guarded("PublishBatch", async () => {
        const {
          axonId,
          events,
          options: appendOptions,
        } = validatePublishBatchRequest(request, maxPayloadBytes);
        const result = await store.append(axonId, events, appendOptions);
        return {
          firstSequence: BigInt(result.firstSequence),
          lastSequence: BigInt(result.lastSequence),
          timestampMs: BigInt(result.timestampMs),
          duplicate: result.duplicate,
        };
      }),

    append: (requests, context: HandlerContext) =>
      appendSession(requests, {
        principal: context.values.get(principalKey),
        store,
        maxPayloadBytes,
        maxUnackedBytes: options.maxUnackedBytes ?? DEFAULT_MAX_UNACKED_BYTES,
        logger,
        shutdownSignal: options.shutdownSignal,
      }),

    listEvents: (request) =>
      guarded("ListEvents", async () => {
        const axonId = requireAxonId(request.axonId);
        const limit = clampPageSize(request.limit, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
        const events = await store.read(axonId, {
          afterSequence: toSequence(request.afterSequence, "after_sequence"),
          limit: limit + 1,
          descending: request.descending,
        });
        // Read the head after the events, so it is never below the newest event returned.
        const axon = await store.getAxon(axonId);
        if (!axon) throw axonNotFound(axonId);
        return {
          events: events.slice(0, limit).map(eventToProto),
          hasMore: events.length > limit,
          headSequence: BigInt(axon.headSequence),
        };
      }),

    subscribe: async function* (request, context: HandlerContext) {
      try {
        yield* subscribeStream(request, {
          store,
          clock,
          heartbeatIntervalMs,
          liveBufferLimit: options.liveBufferLimit,
          signal: context.signal,
          shutdownSignal: options.shutdownSignal,
          deletions,
          binaryCodec: usesBinaryCodec(context.requestHeader.get("content-type")),
          frameBudget,
          ...(options.metrics && { metrics: options.metrics }),
        });
      } catch (error) {
        throw toConnectError(error, logger, "Subscribe");
      }
    },
  };
}

/** Registers AxonService on a router: `connectNodeAdapter({ routes: axonRoutes(options) })`. */
export function axonRoutes(options: AxonServiceOptions): (router: ConnectRouter) => void {
  const service = createAxonService(options);
  return (router) => {
    router.service(AxonService, service);
  };
}
