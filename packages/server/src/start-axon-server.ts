import { setMaxListeners } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import type {
  Http2ServerRequest,
  Http2ServerResponse,
  IncomingHttpHeaders,
  ServerHttp2Stream,
} from "node:http2";
import type { DescMessage } from "@bufbuild/protobuf";
import { createContextValues } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { systemClock } from "@openaxon/core";
import type { GatewayRegistry } from "@openaxon/gateway";
import { AxonService, WebhookService } from "@openaxon/protocol";
import type { RuntimeManager } from "@openaxon/runtime";
import type { SqlDatabases } from "@openaxon/sql";
import { pino } from "pino";
import { ANONYMOUS_LOOPBACK, type ApiKeyConfig, type Principal, toGrant } from "./api-keys.js";
import { serveAppendStream } from "./append-fast-path.js";
import { decideAppendFastPath } from "./append-fast-path-decision.js";
import { DEFAULT_MAX_UNACKED_BYTES } from "./append-session.js";
import { assertAuthConfigured, assertTransportSecure } from "./auth.js";
import {
  type AxonServiceOptions,
  axonRoutes,
  binarySubscribe,
  createSubscribeShared,
} from "./axon-service.js";
import { gatewayRoutes } from "./gateway-routes.js";
import { grpcFastMethods } from "./grpc-fast-methods.js";
import { decideGrpcFastPath, GRPC_FAST_METHODS } from "./grpc-fast-path-decision.js";
import { isGrpcRequest, specEncodeGrpcMessages } from "./grpc-message-encoding.js";
import { serveGrpcUnary } from "./grpc-unary-stream.js";
import { handleHealth } from "./health.js";
import { listenH2cAndHttp1 } from "./listen.js";
import { meteredStore } from "./metered-store.js";
import { ServerMetrics } from "./metrics.js";
import { handleMetrics } from "./metrics-endpoint.js";
import { DEFAULT_READ_MAX_BYTES, rpcReadLimits, withReadLimits } from "./read-limits.js";
import { ACCEPTED_COMPRESSIONS } from "./request-compression.js";
import { newRequestContext, REQUEST_ID_HEADER, runInRequest } from "./request-context.js";
import { createRequestGate } from "./request-gate.js";
import { peerKey, rpcLoggingInterceptor } from "./rpc-logging.js";
import { runtimeRoutes } from "./runtime-service.js";
import { principalKey, scopeError, scopeInterceptor } from "./scope-interceptor.js";
import { sqlRefusedRoutes } from "./sql-refused-service.js";
import { sqlRoutes } from "./sql-service.js";
import { strictBinaryHandler } from "./strict-binary-decoding.js";
import { strictDecodingInterceptor, strictJsonOptions, withStrictDecoding } from "./strict-decoding.js";
import { subscribeFastPath } from "./subscribe-fast-path.js";
import type { TransportLimits } from "./transport-limits.js";
import { DEFAULT_MAX_PAYLOAD_BYTES } from "./validate-publish.js";
import { webhookEndpoint } from "./webhooks/webhook-endpoint.js";
import type { WebhookRegistry } from "./webhooks/webhook-registry.js";
import { createWebhookService } from "./webhooks/webhook-service.js";

export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

export interface StartAxonServerOptions extends AxonServiceOptions {
  /** Address to bind, e.g. "127.0.0.1". */
  host: string;
  /** 0 picks an ephemeral port; read it from RunningAxonServer.port. */
  port: number;
  /**
   * Accepted bearer API keys; a plain string has every scope. None means no auth (every scope),
   * allowed only on a loopback host.
   */
  apiKeys?: readonly ApiKeyConfig[];
  /** Host names clients may use besides loopback names and the listen address (DNS rebinding guard). */
  allowedHosts?: readonly string[];
  /** Browser origins allowed to call cross-origin, e.g. "https://console.example". Never "*". */
  corsOrigins?: readonly string[];
  /** How long close() waits for in-flight RPCs before cutting connections. Default 10 s. */
  shutdownTimeoutMs?: number;
  /** When given, SecretService, NetworkPolicyService and GatewayConfigService are served over it. */
  gatewayRegistry?: GatewayRegistry;
  /**
   * When given, WebhookService is served over it and `POST /webhooks/<axon_id>/<hook>` takes signed
   * deliveries (see webhooks/webhook-endpoint.ts).
   */
  webhooks?: WebhookRegistry;
  /** Largest webhook delivery body; default 1 MiB (DEFAULT_MAX_WEBHOOK_BODY_BYTES). */
  maxWebhookBodyBytes?: number;
  /** When given, RuntimeService is served over it (started by the caller, closed by the caller). */
  runtimes?: RuntimeManager;
  /** Connection, stream, header and idle bounds; DEFAULT_TRANSPORT_LIMITS for whatever is left out. */
  limits?: Partial<TransportLimits>;
  /** When given, SqlService is served over it and DeleteAxon deletes the axon's database (closed by the caller). */
  sql?: SqlDatabases;
  /**
   * Without `sql`: when given, SqlService is still routed and answers every call
   * FAILED_PRECONDITION with this reason (axond in cluster mode), rather than UNIMPLEMENTED.
   */
  sqlRefusal?: string;
  /**
   * Serve plain gRPC unary Publish, PublishBatch and CreateAxon on raw HTTP/2 streams, without
   * Node's compatibility layer or Connect's per-call machinery. Default true.
   */
  grpcFastPath?: boolean;
  /** Serve plain gRPC and Connect (binary) Subscribe by writing shared frames to HTTP/2 streams. Default true. */
  subscribeFastPath?: boolean;
  /**
   * Serve plain gRPC and Connect (binary) Append sessions on raw HTTP/2 streams, with hand-written
   * codecs, instead of Connect's streaming pipeline. Default true.
   */
  appendFastPath?: boolean;
  /**
   * A web site on the same port (axond's console). Asked after Host/Origin admission and before
   * authentication (the page itself is public; its API calls carry the key); returns true when it
   * answered the request. It must claim only its own GET/HEAD paths, never an RPC path.
   */
  site?: SiteHandler;
  /** Serve HTTPS (ALPN h2 and http/1.1) with this PEM certificate chain and key. */
  tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** Serve cleartext beyond loopback (TLS ends at a proxy in front). Refused otherwise. */
  allowCleartext?: boolean;
  /**
   * The metrics `/metrics` serves; a fresh set by default. An embedder passes its own to feed it
   * what the server does not see (the store's writes, turns, gateway decisions, store size).
   */
  metrics?: ServerMetrics;
}

export type SiteHandler = (
  request: IncomingMessage | Http2ServerRequest,
  response: ServerResponse | Http2ServerResponse,
) => boolean;

export interface RunningAxonServer {
  /** Base URL for clients, e.g. "http://127.0.0.1:7433" ("https://…" with TLS). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Graceful: stop accepting, end Subscribe streams, finish in-flight RPCs. Leaves the store open. */
  close(): Promise<void>;
}

/**
 * Serves AxonService over gRPC, gRPC-Web and Connect on one port, over HTTP/2 and HTTP/1.1
 * (cleartext, or TLS with ALPN), with CORS, `/healthz` and bearer auth. Throws before binding when the configuration
 * would expose the service unauthenticated beyond loopback.
 */
export async function startAxonServer(options: StartAxonServerOptions): Promise<RunningAxonServer> {
  const apiKeys = options.apiKeys ?? [];
  assertAuthConfigured(
    options.host,
    apiKeys.map((k) => toGrant(k).key),
  );
  assertTransportSecure(options.host, options.tls !== undefined, options.allowCleartext === true);
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? pino({ level: "silent" });
  const maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  const metrics = options.metrics ?? new ServerMetrics();
  const runtimes = options.runtimes;
  // Per node: in cluster mode every node lists every runtime, but hosts only its own.
  if (runtimes) metrics.watchRuntimes(() => runtimes.hostedRuntimes());
  const store = meteredStore(options.store, metrics);

  const shutdown = new AbortController();
  const shutdownSignal = options.shutdownSignal
    ? AbortSignal.any([options.shutdownSignal, shutdown.signal])
    : shutdown.signal;
  // Every open Subscribe stream and Append session listens for shutdown: many listeners are the
  // design, not a leak (their number is bounded by the connection and stream limits).
  setMaxListeners(0, shutdownSignal);
  const readLimits = rpcReadLimits(maxPayloadBytes);
  /** Request path -> input message type, for the strict JSON decoding hook. */
  const inputs = new Map<string, DescMessage>();
  const gate = createRequestGate({ ...options, listenHost: options.host, apiKeys, logger });
  const principals = new WeakMap<object, Principal>();
  const subscribeShared = createSubscribeShared(options);
  const rpcHandler = connectNodeAdapter({
    routes: (unlimited) => {
      const router = withReadLimits(unlimited, readLimits);
      const onAxonDeleted = options.sql
        ? (id: string) => options.sql!.deleteDatabase(id)
        : options.onAxonDeleted;
      axonRoutes({
        ...options,
        clock,
        logger,
        maxPayloadBytes,
        store,
        shutdownSignal,
        subscribeShared,
        metrics,
        onAxonDeleted,
      })(router);
      if (options.sql) sqlRoutes({ sql: options.sql, logger })(router);
      else if (options.sqlRefusal !== undefined) sqlRefusedRoutes(options.sqlRefusal)(router);
      if (options.gatewayRegistry) gatewayRoutes({ registry: options.gatewayRegistry, logger })(router);
      if (options.runtimes) runtimeRoutes({ runtimes: options.runtimes, logger })(router);
      if (options.webhooks) {
        router.service(WebhookService, createWebhookService({ webhooks: options.webhooks, logger }));
      }
      for (const [i, h] of unlimited.handlers.entries()) {
        inputs.set(h.requestPath, h.method.input);
        const limit =
          readLimits.get(`${h.method.parent.typeName}/${h.method.name}`) ?? DEFAULT_READ_MAX_BYTES;
        // connectNodeAdapter reads router.handlers after this callback: wrapped handlers are served.
        unlimited.handlers[i] = strictBinaryHandler(h, limit);
      }
    },
    interceptors: [rpcLoggingInterceptor(logger, metrics), scopeInterceptor(), strictDecodingInterceptor()],
    jsonOptions: strictJsonOptions as Record<string, unknown>,
    acceptCompression: [...ACCEPTED_COMPRESSIONS], // strict-binary-decoding.ts decompresses the same
    contextValues: (request) => {
      const values = createContextValues().set(peerKey, request.socket?.remoteAddress);
      const principal = principals.get(request);
      return principal ? values.set(principalKey, principal) : values;
    },
  });
  // Taken before the compatibility layer, and only when admission (Host/Origin) and the API key pass
  // without an answer of their own (gate.quietPrincipal); anything else goes the full way below,
  // which answers it as always. The scope check is the one the scope interceptor makes.
  const fastMethods = grpcFastMethods({
    store,
    maxPayloadBytes,
    readMaxBytes: (method) => readLimits.get(`${AxonService.typeName}/${method}`) ?? DEFAULT_READ_MAX_BYTES,
  });
  const fastEnabled = new Set(options.grpcFastPath === false ? [] : GRPC_FAST_METHODS);
  const appendDeps = {
    store,
    maxPayloadBytes,
    maxUnackedBytes: options.maxUnackedBytes ?? DEFAULT_MAX_UNACKED_BYTES,
    logger,
    shutdownSignal,
    readMaxBytes: readLimits.get(`${AxonService.typeName}/Append`) ?? DEFAULT_READ_MAX_BYTES,
  };
  const fastStream = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders): boolean => {
    const method = decideGrpcFastPath(headers, fastEnabled);
    const appendProtocol =
      method === undefined && options.appendFastPath !== false ? decideAppendFastPath(headers) : undefined;
    if (method === undefined && appendProtocol === undefined) return false;
    const principal = gate.quietPrincipal(headers);
    if (principal === undefined) return false;
    const call = newRequestContext(headers[REQUEST_ID_HEADER]);
    stream.once("close", () => {
      call.ended = true;
    });
    if (method !== undefined) {
      serveGrpcUnary(stream, fastMethods.get(method)!, principal, { logger, metrics, call });
      return true;
    }
    const deps = { ...appendDeps, principal };
    runInRequest(call, () => serveAppendStream(stream, appendProtocol!, deps, { logger, metrics, call }));
    return true;
  };
  const fastSubscribe =
    options.subscribeFastPath !== false
      ? subscribeFastPath({
          readMaxBytes: readLimits.get(`${AxonService.typeName}/Subscribe`) ?? DEFAULT_READ_MAX_BYTES,
          logger,
          metrics,
          admit: (request) => {
            const principal = principals.get(request) ?? ANONYMOUS_LOOPBACK;
            // Subscribe's scope does not depend on the message.
            const error = scopeError(principal, AxonService.typeName, "Subscribe", undefined);
            if (error) throw error;
          },
          open: binarySubscribe({ ...options, store, clock, shutdownSignal, subscribeShared, metrics }),
        })
      : undefined;

  const webhooks = options.webhooks
    ? webhookEndpoint({
        webhooks: options.webhooks,
        store,
        clock,
        logger,
        ...(options.maxWebhookBodyBytes !== undefined && { maxBodyBytes: options.maxWebhookBodyBytes }),
      })
    : undefined;

  let draining = false;
  const serve = (
    request: IncomingMessage | Http2ServerRequest,
    response: ServerResponse | Http2ServerResponse,
  ): void => {
    if (isGrpcRequest(request)) specEncodeGrpcMessages(response);
    if (!gate.admit(request, response)) return;
    if (handleHealth(request, response, draining, options.store)) return;
    // Webhooks pass Host/Origin admission like everything else (senders send no Origin; a browser
    // page has no business posting one) but no API key: GitHub or Slack cannot send ours. The
    // signature is their authentication, checked by the endpoint before anything is published.
    if (webhooks?.(request, response)) return;
    if (options.site?.(request, response)) return;
    const principal = gate.authenticate(request, response);
    if (principal === undefined) return;
    principals.set(request, principal);
    if (handleMetrics(request, response, metrics.registry)) return;
    // Every admission check (Host/Origin, API key) must stay above this line.
    if (fastSubscribe?.(request, response)) return;
    const input = inputs.get(request.url?.split("?", 1)[0] ?? "");
    withStrictDecoding(input, () => rpcHandler(request, response));
  };
  const listener = await listenH2cAndHttp1({
    host: options.host,
    port: options.port,
    handler: (request, response) => {
      // One id per call, in every line logged while serving it (requestLogFields) and echoed back.
      const call = newRequestContext(request.headers[REQUEST_ID_HEADER]);
      response.setHeader(REQUEST_ID_HEADER, call.requestId);
      response.once("close", () => {
        call.ended = true;
      });
      runInRequest(call, () => serve(request, response));
    },
    streamHandler: fastStream,
    limits: options.limits,
    ...(options.tls ? { tls: options.tls } : {}),
    onError: (error) => logger.error({ err: error }, "server error"),
    onConnectionLimit: (limit) =>
      logger.warn(
        { maxConnections: limit },
        "connection limit reached: refusing new connections until some close (logged once per episode)",
      ),
    onResetFlood: (remoteAddress) =>
      logger.warn({ remoteAddress }, "closed an HTTP/2 connection that reset streams faster than allowed"),
  });
  const url = `${options.tls ? "https" : "http"}://${options.host.includes(":") ? `[${options.host}]` : options.host}:${listener.port}`;
  logger.info({ url, auth: apiKeys.length > 0 ? "api-key" : "none" }, "axon server listening");

  let closing: Promise<void> | undefined;
  return {
    url,
    host: options.host,
    port: listener.port,
    close() {
      closing ??= (async () => {
        draining = true;
        const closed = listener.close(options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS, clock);
        shutdown.abort();
        await closed;
        logger.info({ url }, "axon server closed");
      })();
      return closing;
    },
  };
}
