import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import type { Clock } from "@openaxon/core";
import type { AxonService, Origin, SubscribeRequest } from "@openaxon/protocol";
import {
  type ChunkPage,
  catchUpThenLive,
  type FollowItem,
  type LogStore,
  type StoredEvent,
} from "@openaxon/store";
import type { AxonDeletions } from "./axon-deletions.js";
import { encodeChunkPage } from "./chunk-page-wire.js";
import { axonNotFound } from "./errors.js";
import { eventBatchOfEntries, preEncodedEventBatch } from "./event-batch-wire.js";
import { FrameBudget } from "./frame-budget.js";
import type { ServerMetrics } from "./metrics.js";
import { NextOrTimeout, TIMED_OUT } from "./next-or-timeout.js";
import { piecesSize, sharedEventBatch, sharedEventFrames } from "./shared-event-frames.js";
import { eventToProto } from "./to-proto.js";
import { requireAxonId, toSequence } from "./validate-fields.js";

/** What the Subscribe implementation yields: SubscribeResponse init shapes (no $typeName needed). */
export type SubscribeFrame =
  ReturnType<ServiceImpl<typeof AxonService>["subscribe"]> extends AsyncIterable<infer F> ? F : never;

/** Replay frames stay well under grpc-js's default 4 MiB receive limit unless one event alone is larger. */
export const MAX_FRAME_BYTES = 1024 * 1024;
/** Live frames are small: many streams hold one each while the transport writes it. */
export const LIVE_FRAME_BYTES = 64 * 1024;
/** Replay bytes per store read: one page being sent plus one read ahead per replaying stream. */
export const REPLAY_READ_BYTES = 1024 * 1024;
/**
 * Live bytes (by eventSize) a subscriber may lag by before it falls behind to store reads. Its
 * buffer holds the commits the tail signal delivered, shared by every subscriber of the axon, so
 * however many lag, an axon pins at most this much event data (and its shared encoding), plus a
 * pointer per commit per lagging subscriber; re-reading from the store costs far more.
 */
export const LIVE_BUFFER_BYTES = 8 * 1024 * 1024;
/** Live commits' events a subscriber may lag by (same reasoning; the byte limit usually bites first). */
export const LIVE_BUFFER_EVENTS = 65_536;
/** Default server-wide budget for frames handed to the transport and not yet written. */
export const DEFAULT_FRAME_BUDGET_BYTES = 32 * 1024 * 1024;
/** Rough protobuf overhead per event beyond its strings. */
const EVENT_OVERHEAD_BYTES = 64;
/**
 * Events per store read during replay: large pages amortise per-read and per-frame costs (HTTP/2
 * and connect framing, one write per frame); frames stay byte-capped by MAX_FRAME_BYTES.
 */
export const REPLAY_PAGE_EVENTS = 2048;

export interface SubscribeStreamOptions {
  readonly store: LogStore;
  readonly clock: Clock;
  readonly heartbeatIntervalMs: number;
  readonly liveBufferLimit?: number;
  /** Aborted when the client goes away: the stream just ends. */
  readonly signal: AbortSignal;
  /** Aborted when the server shuts down: the stream ends with UNAVAILABLE so clients reconnect. */
  readonly shutdownSignal?: AbortSignal;
  readonly deletions: AxonDeletions;
  /**
   * The response codec is binary protobuf (gRPC, gRPC-Web, Connect proto), so event batches may be
   * sent pre-encoded (see preEncodedEventBatch). False for JSON codecs and in-process callers.
   */
  readonly binaryCodec?: boolean;
  /** Shared by every Subscribe stream of the server; see FrameBudget. */
  readonly frameBudget?: FrameBudget;
  /** Passed to catchUpThenLive: a transport that can write a live commit itself, at once. */
  readonly liveSink?: (commit: readonly StoredEvent[]) => boolean;
  readonly metrics?: Pick<ServerMetrics, "subscribers" | "fellBehind">;
}

const unlimited = new FrameBudget(Number.POSITIVE_INFINITY);

/**
 * The Subscribe RPC: replay, caught_up, live, as catchUpThenLive yields them, batched into frames,
 * with a heartbeat whenever nothing was sent for heartbeatIntervalMs.
 */
export async function* subscribeStream(
  request: SubscribeRequest,
  options: SubscribeStreamOptions,
): AsyncGenerator<SubscribeFrame, void, undefined> {
  const axonId = requireAxonId(request.axonId);
  const afterSequence = toSequence(request.afterSequence, "after_sequence");
  const { store, clock, heartbeatIntervalMs, signal, shutdownSignal, deletions } = options;
  const encodeBatch = options.binaryCodec ? preEncodedEventBatch : messageBatch;
  const budget = options.frameBudget ?? unlimited;

  const stop = new AbortController();
  let stopReason: "client" | "shutdown" | "deleted" | undefined;
  const stopFor = (reason: "client" | "shutdown" | "deleted") => () => {
    stopReason ??= reason;
    stop.abort();
  };
  const onClientGone = stopFor("client");
  const onShutdown = stopFor("shutdown");
  signal.addEventListener("abort", onClientGone);
  shutdownSignal?.addEventListener("abort", onShutdown);
  const unwatchDeletion = deletions.onDeleted(axonId, stopFor("deleted"));
  if (signal.aborted) onClientGone();
  if (shutdownSignal?.aborted) onShutdown();

  // Commits the transport wrote itself count as sent: the heartbeat is due an interval after the
  // last of them. Noted with a clock read rather than a timer reset per commit.
  let sunkAt: number | undefined;
  // The newest sequence this stream has sent: a heartbeat's head is never below it (its head read
  // is asynchronous, and the sink may write newer commits meanwhile).
  let lastSent = 0;
  const outerSink = options.liveSink;
  const liveSink =
    outerSink &&
    ((commit: readonly StoredEvent[]) => {
      const taken = outerSink(commit);
      if (taken) {
        sunkAt = clock.now();
        lastSent = commit[commit.length - 1]!.sequence;
      }
      return taken;
    });
  const items = new NextOrTimeout<FollowItem>(
    catchUpThenLive(store, axonId, {
      afterSequence,
      batchSize: REPLAY_PAGE_EVENTS,
      maxReadBytes: REPLAY_READ_BYTES,
      liveBufferLimit: options.liveBufferLimit ?? LIVE_BUFFER_EVENTS,
      liveBufferBytes: LIVE_BUFFER_BYTES,
      filter: eventFilter(request.eventTypes, request.origins),
      signal: stop.signal,
      liveSink,
      // Replay pages stay in their stored chunks and are transcoded (binary codecs only: JSON
      // needs the events as messages).
      chunkPages: options.binaryCodec === true,
    }),
    clock,
  );
  let live = false;
  options.metrics?.subscribers.inc();
  try {
    let waitMs = heartbeatIntervalMs;
    for (;;) {
      const next = await items.next(waitMs);
      waitMs = heartbeatIntervalMs;
      if (next === TIMED_OUT && sunkAt !== undefined) {
        const quietMs = clock.now() - sunkAt;
        sunkAt = undefined;
        if (quietMs < heartbeatIntervalMs) {
          waitMs = heartbeatIntervalMs - quietMs;
          continue;
        }
      }
      if (next === TIMED_OUT) {
        // Idle: keep proxies from closing the stream, and notice a deletion made behind our back.
        const axon = await store.getAxon(axonId);
        if (!axon) throw axonNotFound(axonId);
        const headSequence = Math.max(axon.headSequence, lastSent);
        yield { kind: { case: "heartbeat", value: { headSequence: BigInt(headSequence) } } };
        continue;
      }
      if (next.done) break;
      const item = next.value;
      if (item.kind === "caught_up" || item.kind === "fell_behind") {
        live = item.kind === "caught_up";
        if (item.kind === "fell_behind") options.metrics?.fellBehind.inc();
        yield controlFrame(item);
        continue;
      }
      lastSent = item.kind === "chunks" ? item.page.lastSequence : item.events.at(-1)!.sequence;
      const frames =
        item.kind === "chunks"
          ? chunkPageFrames(item.page)
          : eventFrames(item, encodeBatch, options.binaryCodec === true, live);
      for (const frame of frames) {
        // Frames in flight count against the server-wide budget until the transport asks for the
        // next one (connect-node waits for each write to be flushed or drained before that).
        const waiting = budget.acquire(frame.bytes, stop.signal);
        if (waiting) await waiting.catch(() => {});
        if (stop.signal.aborted) break;
        try {
          yield frame.frame;
        } finally {
          budget.release(frame.bytes);
        }
      }
    }
    if (stopReason === "shutdown") {
      throw new ConnectError(
        `the server is shutting down; resubscribe with after_sequence set to the last sequence you received`,
        Code.Unavailable,
      );
    }
    if (stopReason === "deleted") throw axonNotFound(axonId);
  } finally {
    options.metrics?.subscribers.dec();
    stop.abort();
    items.close();
    unwatchDeletion();
    signal.removeEventListener("abort", onClientGone);
    shutdownSignal?.removeEventListener("abort", onShutdown);
  }
}

type EventBatchInit = Extract<SubscribeFrame["kind"], { case: "events" }>["value"];

/** Event batches as messages, for any codec. */
const messageBatch = (events: readonly StoredEvent[]): EventBatchInit => ({
  events: events.map(eventToProto),
});

/**
 * Turns an events item into frames with their sizes. Live items of whole commits go out as the
 * commits' shared encoding (binary codecs) in frames of LIVE_FRAME_BYTES; everything else is
 * encoded for this stream by `encode` (messages for any codec, or pre-encoded protobuf bytes for
 * binary codecs), byte-capped by LIVE_FRAME_BYTES or, during replay, MAX_FRAME_BYTES.
 */
function* eventFrames(
  item: Extract<FollowItem, { kind: "events" }>,
  encode: (events: readonly StoredEvent[]) => EventBatchInit,
  binaryCodec: boolean,
  live: boolean,
): Generator<{ frame: SubscribeFrame; bytes: number }> {
  if (item.commits && binaryCodec) {
    for (const pieces of sharedEventFrames(item.commits, LIVE_FRAME_BYTES)) {
      yield {
        frame: { kind: { case: "events", value: sharedEventBatch(pieces) } },
        bytes: piecesSize(pieces),
      };
    }
    return;
  }
  for (const { events, bytes } of splitBySize(item.events, live ? LIVE_FRAME_BYTES : MAX_FRAME_BYTES)) {
    yield { frame: { kind: { case: "events", value: encode(events) } }, bytes };
  }
}

/**
 * A replay page read as stored chunks (binary codecs only), transcoded to Event entries and cut
 * between events into frames of at most MAX_FRAME_BYTES (one event larger than that goes alone).
 */
function* chunkPageFrames(page: ChunkPage): Generator<{ frame: SubscribeFrame; bytes: number }> {
  const ends: number[] = [];
  const encoded = encodeChunkPage(page, ends);
  let start = 0;
  let cut = 0;
  for (const end of ends) {
    if (end - start > MAX_FRAME_BYTES && cut > start) {
      yield entriesFrame(encoded.subarray(start, cut));
      start = cut;
    }
    cut = end;
  }
  if (start < encoded.length) yield entriesFrame(encoded.subarray(start));
}

const entriesFrame = (entries: Buffer) => ({
  frame: { kind: { case: "events" as const, value: eventBatchOfEntries(entries) } },
  bytes: entries.length,
});

function controlFrame(item: Exclude<FollowItem, { kind: "events" | "chunks" }>): SubscribeFrame {
  switch (item.kind) {
    case "caught_up":
      return { kind: { case: "caughtUp", value: { headSequence: BigInt(item.headSequence) } } };
    case "fell_behind":
      return {
        kind: {
          case: "fellBehind",
          value: { lastSequence: BigInt(item.lastSequence), headSequence: BigInt(item.headSequence) },
        },
      };
  }
}

function* splitBySize(
  events: readonly StoredEvent[],
  maxBytes: number,
): Generator<{ events: readonly StoredEvent[]; bytes: number }> {
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const size = e.payload.length + e.source.length + e.eventType.length + EVENT_OVERHEAD_BYTES;
    if (i > start && bytes + size > maxBytes) {
      yield { events: events.slice(start, i), bytes };
      start = i;
      bytes = 0;
    }
    bytes += size;
  }
  if (start < events.length) yield { events: start === 0 ? events : events.slice(start), bytes };
}

function eventFilter(
  eventTypes: readonly string[],
  origins: readonly Origin[],
): ((event: StoredEvent) => boolean) | undefined {
  if (eventTypes.length === 0 && origins.length === 0) return undefined;
  const types = new Set(eventTypes);
  const allowedOrigins = new Set<number>(origins);
  return (event) =>
    (types.size === 0 || types.has(event.eventType)) &&
    (allowedOrigins.size === 0 || allowedOrigins.has(event.origin));
}
