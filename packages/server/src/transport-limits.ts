/**
 * Every bound on what one client can hold open at the transport level, in one place. The defaults
 * keep a default install (1024 file descriptors, one Node process) serving everyone else while a
 * single client misbehaves; an operator raises them for a large fleet.
 */
export interface TransportLimits {
  /**
   * Open TCP connections, all protocols. Beyond it new connections are closed at once (one log
   * line per episode). Default 512: half of the common 1024-fd limit, leaving room for the store's
   * files, agent pipes and gateway sockets.
   */
  readonly maxConnections: number;
  /**
   * SETTINGS_MAX_CONCURRENT_STREAMS per HTTP/2 connection. Well-behaved clients queue beyond it;
   * others get REFUSED_STREAM. Default 256 (Go's net/http2 uses 250, the RFC asks for >= 100): room
   * for many Subscribe streams from one SDK process, but 10k streams on one socket are impossible.
   */
  readonly maxConcurrentStreams: number;
  /**
   * nghttp2's per-connection memory budget (header tables, queued frames), in MiB. Beyond it new
   * streams are refused with ENHANCE_YOUR_CALM. Default 16.
   */
  readonly maxSessionMemoryMiB: number;
  /**
   * HTTP/2 receive window of each stream (SETTINGS_INITIAL_WINDOW_SIZE): request bytes a client may
   * send on one call before the server has read them. Default 1 MiB, so a PublishBatch or a
   * pipelined Append session is not held to HTTP/2's 64 KiB default and a round trip per 64 KiB.
   * At most 2^31 - 1.
   */
  readonly streamWindowBytes: number;
  /**
   * HTTP/2 receive window of each connection, shared by its streams: the most request bytes one
   * connection can have sent and the server not yet read. Default 4 MiB (grpc-go's BDP-sized
   * windows grow to 16 MiB). At most 2^31 - 1.
   */
  readonly connectionWindowBytes: number;
  /** Bytes of request headers (HTTP/2 SETTINGS_MAX_HEADER_LIST_SIZE and HTTP/1.1). Default 16 KiB. */
  readonly maxHeaderBytes: number;
  /** Header fields per HTTP/2 request. Default 64 (gRPC requests send about 10). */
  readonly maxHeaderPairs: number;
  /**
   * An HTTP/2 connection with no open stream is closed (GOAWAY) after this long. Streams keep it
   * open however quiet they are, so long-lived Subscribe streams are never cut. Default 5 min.
   */
  readonly idleTimeoutMs: number;
  /** An HTTP/1.1 connection waiting for its next request is closed after this long. Default 5 s. */
  readonly keepAliveTimeoutMs: number;
  /** An HTTP/1.1 request must deliver its complete headers within this time. Default 20 s. */
  readonly headersTimeoutMs: number;
  /** A new connection must send its first bytes (to pick HTTP/1.1 or HTTP/2) within this time. Default 10 s. */
  readonly sniffTimeoutMs: number;
  /**
   * Streams one HTTP/2 connection may reset before their response ends, as a burst. Beyond it (and
   * the refill rate) the connection is closed with ENHANCE_YOUR_CALM: every reset stream cost a
   * handler start, so rapid reset (CVE-2023-44487) would otherwise buy server work for free.
   * Default 200. nghttp2's own limit (1000 burst) still applies underneath.
   */
  readonly resetBurst: number;
  /** Resets per second a connection earns back after its burst. Default 20. */
  readonly resetsPerSecond: number;
}

export const DEFAULT_TRANSPORT_LIMITS: TransportLimits = Object.freeze({
  maxConnections: 512,
  maxConcurrentStreams: 256,
  maxSessionMemoryMiB: 16,
  streamWindowBytes: 1024 * 1024,
  connectionWindowBytes: 4 * 1024 * 1024,
  maxHeaderBytes: 16 * 1024,
  maxHeaderPairs: 64,
  idleTimeoutMs: 5 * 60_000,
  keepAliveTimeoutMs: 5_000,
  headersTimeoutMs: 20_000,
  sniffTimeoutMs: 10_000,
  resetBurst: 200,
  resetsPerSecond: 20,
});

/** HTTP/2 flow-control windows are 31-bit (RFC 9113 §6.9.1). */
const MAX_WINDOW_BYTES = 2 ** 31 - 1;

/** Fills in defaults; throws a RangeError naming the field for anything not a positive integer. */
export function resolveTransportLimits(overrides: Partial<TransportLimits> = {}): TransportLimits {
  const limits = { ...DEFAULT_TRANSPORT_LIMITS };
  for (const [key, value] of Object.entries(overrides) as [keyof TransportLimits, number | undefined][]) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_TRANSPORT_LIMITS)) throw new RangeError(`unknown transport limit "${key}"`);
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`transport limit ${key} must be a positive integer, got ${value}`);
    }
    if ((key === "streamWindowBytes" || key === "connectionWindowBytes") && value > MAX_WINDOW_BYTES) {
      throw new RangeError(
        `transport limit ${key} must be at most ${MAX_WINDOW_BYTES} (HTTP/2's largest window), got ${value}`,
      );
    }
    (limits as Record<keyof TransportLimits, number>)[key] = value;
  }
  return Object.freeze(limits);
}
