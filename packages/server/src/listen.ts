import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import tls from "node:tls";
import type { Clock } from "@openaxon/core";
import { ConnectionLimitEpisodes } from "./connection-limit-episodes.js";
import { guardH2Session } from "./h2-session-guard.js";
import { resolveTransportLimits, type TransportLimits } from "./transport-limits.js";
import { releaseUnreadBodyWhenAnswered } from "./unread-request-body.js";

export type RequestHandler = (
  request: http.IncomingMessage | http2.Http2ServerRequest,
  response: http.ServerResponse | http2.Http2ServerResponse,
) => void;

/**
 * Offered every HTTP/2 stream before Node's compatibility layer sees it (no Http2ServerRequest or
 * Response is made for a stream it takes). True when it took the stream and will answer it; false
 * leaves the stream to `handler`, untouched. Session limits (stream caps, reset budget, idle
 * timeout) apply to taken streams as to any other.
 */
export type StreamHandler = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => boolean;

export interface DualProtocolListener {
  readonly port: number;
  /**
   * Graceful close: stop accepting, let in-flight requests finish (HTTP/2 sessions get GOAWAY,
   * HTTP/1.1 connections close after their current response), then after `timeoutMs` destroy
   * whatever is still open. Resolves once every connection is gone.
   */
  close(timeoutMs: number, clock: Clock): Promise<void>;
}

const H2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

export interface ListenOptions {
  host: string;
  port: number;
  handler: RequestHandler;
  /** HTTP/2 streams it takes skip `handler` (and the compatibility layer) altogether. */
  streamHandler?: StreamHandler;
  /** Bounds on connections, streams, headers and timeouts; DEFAULT_TRANSPORT_LIMITS otherwise. */
  limits?: Partial<TransportLimits>;
  /** Extra HTTP/1.1 server options, applied over those derived from `limits`. */
  http1?: http.ServerOptions;
  /** Called for server-level errors after listening; connection errors are handled per connection. */
  onError?: (error: Error) => void;
  /**
   * The connection limit started refusing connections: called once per episode (until the count
   * drops below the limit again), not once per refused connection.
   */
  onConnectionLimit?: (limit: number) => void;
  /** An HTTP/2 connection was closed for resetting streams faster than `limits` allow. */
  onResetFlood?: (remoteAddress: string | undefined) => void;
  /**
   * Serve over TLS instead of cleartext: ALPN picks HTTP/2 ("h2") or HTTP/1.1 ("http/1.1", or a
   * client that offers no ALPN). PEM certificate chain and private key.
   */
  tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
}

/**
 * One port, two protocols: Node's http2 server only negotiates HTTP/1.1 over TLS (ALPN), so a
 * plain net.Server accepts, peeks at the first bytes, and hands the socket to the HTTP/2 server if
 * they are the HTTP/2 connection preface (h2c with prior knowledge, as gRPC clients send) or to the
 * HTTP/1.1 server otherwise. The peeked bytes are unshifted so the chosen server reads them again.
 * With `tls`, a tls.Server accepts instead and ALPN decides, so no peeking is needed.
 */
export async function listenH2cAndHttp1(options: ListenOptions): Promise<DualProtocolListener> {
  const limits = resolveTransportLimits(options.limits);
  /** Every accepted connection and which protocol it turned out to speak. */
  const sockets = new Map<net.Socket, "peek" | "h1" | "h2">();
  const sessions = new Set<http2.ServerHttp2Session>();
  /** In-flight requests per HTTP/1.1 connection: idle ones can be closed at once when draining. */
  const h1Active = new Map<net.Socket, number>();
  /** HTTP/2 streams whose response is written but whose request never ended: nothing to finish. */
  const answeredH2Streams = new Set<http2.Http2Stream>();
  let inflight = 0;
  let draining = false;
  let onIdle: (() => void) | undefined;

  const handle: RequestHandler = (request, response) => {
    inflight++;
    const h1Socket = request.httpVersionMajor === 1 ? (request.socket as net.Socket) : undefined;
    if (h1Socket) {
      h1Active.set(h1Socket, (h1Active.get(h1Socket) ?? 0) + 1);
      if (draining) (response as http.ServerResponse).shouldKeepAlive = false;
    }
    releaseUnreadBodyWhenAnswered(request, response, answeredH2Streams);
    response.once("close", () => {
      inflight--;
      const active = h1Socket && h1Active.get(h1Socket);
      if (h1Socket && active !== undefined) {
        h1Active.set(h1Socket, active - 1);
        if (draining && active === 1) h1Socket.end();
      }
      if (draining && inflight === 0) onIdle?.();
    });
    options.handler(request, response);
  };

  const h1 = http.createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: Math.max(limits.headersTimeoutMs, 300_000),
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      ...options.http1,
    },
    handle,
  );
  const h2 = http2.createServer(
    {
      settings: {
        maxConcurrentStreams: limits.maxConcurrentStreams,
        initialWindowSize: limits.streamWindowBytes,
        maxHeaderListSize: limits.maxHeaderBytes,
      },
      maxSessionMemory: limits.maxSessionMemoryMiB,
      maxHeaderListPairs: limits.maxHeaderPairs,
    },
    handle,
  );
  if (options.streamHandler)
    offerStreamsFirst(h2, options.streamHandler, {
      started: () => inflight++,
      finished: () => {
        inflight--;
        if (draining && inflight === 0) onIdle?.();
      },
    });
  h2.on("session", (session) => {
    sessions.add(session);
    // The connection's window is not a SETTINGS value: it grows by a WINDOW_UPDATE on stream 0.
    session.setLocalWindowSize(limits.connectionWindowBytes);
    session.once("close", () => sessions.delete(session));
    guardH2Session(session, {
      idleTimeoutMs: limits.idleTimeoutMs,
      resetBurst: limits.resetBurst,
      resetsPerSecond: limits.resetsPerSecond,
      onResetFlood: (s) => options.onResetFlood?.(s.socket?.remoteAddress),
    });
    if (draining) session.close();
  });

  const dispatch = (socket: net.Socket, peeked: Buffer) => {
    socket.setTimeout(0);
    if (draining) {
      socket.destroy();
      return;
    }
    socket.unshift(peeked);
    const isH2 =
      peeked.length >= H2_PREFACE.length && peeked.subarray(0, H2_PREFACE.length).equals(H2_PREFACE);
    sockets.set(socket, isH2 ? "h2" : "h1");
    if (isH2) {
      h2.emit("connection", socket);
    } else {
      h1Active.set(socket, 0);
      h1.emit("connection", socket);
    }
  };

  const episodes = new ConnectionLimitEpisodes();
  const server = options.tls
    ? listenTls(options.tls, limits.sniffTimeoutMs, {
        handshaking: sockets,
        opened: (socket) => {
          if (draining) {
            socket.destroy();
            return;
          }
          const isH2 = socket.alpnProtocol === "h2";
          sockets.set(socket, isH2 ? "h2" : "h1");
          socket.once("close", () => {
            sockets.delete(socket);
            h1Active.delete(socket);
            episodes.closed(sockets.size, limits.maxConnections);
          });
          if (isH2) {
            h2.emit("connection", socket);
          } else {
            h1Active.set(socket, 0);
            h1.emit("connection", socket);
          }
        },
      })
    : net.createServer((socket) => {
        sockets.set(socket, "peek");
        socket.once("close", () => {
          sockets.delete(socket);
          h1Active.delete(socket);
          episodes.closed(sockets.size, limits.maxConnections);
        });
        // Resets during the peek must not crash the process; the HTTP servers add their own handlers.
        socket.on("error", () => {});
        socket.setNoDelay(true);
        socket.setTimeout(limits.sniffTimeoutMs, () => socket.destroy());
        let peeked: Buffer = Buffer.alloc(0);
        const onReadable = () => {
          for (
            let chunk = socket.read() as Buffer | null;
            chunk !== null;
            chunk = socket.read() as Buffer | null
          ) {
            peeked = peeked.length === 0 ? chunk : Buffer.concat([peeked, chunk]);
          }
          const n = Math.min(peeked.length, H2_PREFACE.length);
          const couldBeH2 = peeked.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
          if (couldBeH2 && peeked.length < H2_PREFACE.length) return; // need more bytes to decide
          socket.off("readable", onReadable);
          dispatch(socket, peeked);
        };
        socket.on("readable", onReadable);
      });

  // Node closes connections beyond maxConnections right after accept, before any of our code
  // runs, so a flood costs one accept each and the descriptors are back at once.
  server.maxConnections = limits.maxConnections;
  server.on("drop", () => {
    if (episodes.refusedOne()) options.onConnectionLimit?.(limits.maxConnections);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;
  // Errors after listening (e.g. accept failing with EMFILE) must not crash the process.
  server.on("error", (error) => options.onError?.(error));
  // The HTTP/1.1 server never listens itself, but its headersTimeout/requestTimeout checks (slow
  // clients) only start on "listening": start them here, and stop them again on close.
  h1.emit("listening");

  return {
    port,
    async close(timeoutMs, clock) {
      draining = true;
      const allClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const session of sessions) session.close();
      for (const stream of answeredH2Streams) stream.close(http2.constants.NGHTTP2_NO_ERROR);
      for (const [socket, active] of h1Active) if (active === 0) socket.destroy();
      // Sockets still being peeked at have sent no complete request: nothing to finish.
      for (const [socket, phase] of sockets) if (phase === "peek") socket.destroy();
      // Wait, within one deadline, for in-flight requests to finish and then for the connections to
      // close by themselves: an HTTP/2 session closed with GOAWAY flushes its last frames (trailers
      // of the streams we just ended) before closing its socket. Destroying sockets as soon as the
      // last response closed could cut those frames, and clients would see CANCELED.
      let settle: () => void = () => {};
      const deadline = new Promise<void>((resolve) => {
        const timer = clock.setTimer(timeoutMs, resolve);
        settle = () => {
          if (inflight === 0 && sockets.size === 0) {
            timer.cancel();
            resolve();
          }
        };
      });
      onIdle = settle;
      const poll = () => settle();
      for (const socket of sockets.keys()) socket.once("close", poll);
      settle();
      await deadline;
      for (const socket of sockets.keys()) socket.destroy();
      h1.close(() => {}); // stops the timeout checks; it has no listening socket of its own
      await allClosed;
    },
  };
}

/**
 * Puts `streamHandler` in front of the compatibility layer: Node's http2 server turns each stream
 * into Http2ServerRequest/Response in its own "stream" listener (installed with the request
 * handler); that listener is taken off and called only for streams `streamHandler` declines.
 */
function offerStreamsFirst(
  h2: http2.Http2Server,
  streamHandler: StreamHandler,
  inflight: { started(): void; finished(): void },
): void {
  const compat = h2.listeners("stream");
  if (compat.length !== 1)
    throw new Error(`expected Node's http2 compatibility listener, found ${compat.length}`);
  const toCompat = compat[0] as (...args: unknown[]) => void;
  h2.removeListener("stream", toCompat);
  h2.on(
    "stream",
    (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, ...rest: unknown[]) => {
      if (!streamHandler(stream, headers)) {
        toCompat.call(h2, stream, headers, ...rest);
        return;
      }
      inflight.started();
      stream.once("close", inflight.finished);
    },
  );
}

/**
 * A tls.Server whose raw sockets count as "peek" in `handshaking` until their handshake completes
 * (so draining can cut them at once), then `opened` gets the TLS socket. Raw and TLS sockets are
 * paired by peer address and port: tls.Server exposes no public link between them.
 */
function listenTls(
  credentials: { readonly cert: string | Buffer; readonly key: string | Buffer },
  handshakeTimeoutMs: number,
  hooks: {
    handshaking: Map<net.Socket, "peek" | "h1" | "h2">;
    opened: (socket: tls.TLSSocket) => void;
  },
): net.Server {
  const pending = new Map<string, net.Socket>();
  const peerKey = (socket: net.Socket) => `${socket.remoteAddress}|${socket.remotePort}`;
  const server = tls.createServer(
    {
      cert: credentials.cert,
      key: credentials.key,
      ALPNProtocols: ["h2", "http/1.1"],
      handshakeTimeout: handshakeTimeoutMs,
    },
    (socket) => {
      const raw = pending.get(peerKey(socket));
      if (raw) {
        pending.delete(peerKey(socket));
        hooks.handshaking.delete(raw);
      }
      socket.setNoDelay(true);
      hooks.opened(socket);
    },
  );
  server.on("connection", (raw: net.Socket) => {
    const key = peerKey(raw);
    pending.set(key, raw);
    hooks.handshaking.set(raw, "peek");
    raw.once("close", () => {
      if (pending.get(key) === raw) pending.delete(key);
      hooks.handshaking.delete(raw);
    });
  });
  // A failed handshake (a cleartext client, an untrusted certificate) only ends that connection.
  server.on("tlsClientError", (_error, socket) => socket.destroy());
  return server;
}
