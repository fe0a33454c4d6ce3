import type { DescMessage } from "@bufbuild/protobuf";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { systemClock } from "@openaxon/core";
import type { GatewayRegistry } from "@openaxon/gateway";
import type { RuntimeManager } from "@openaxon/runtime";
import { pino } from "pino";
import { assertAuthConfigured, bearerAuthInterceptor } from "./auth.js";
import { type AxonServiceOptions, axonRoutes } from "./axon-service.js";
import { handleCors } from "./cors.js";
import { gatewayRoutes } from "./gateway-routes.js";
import { handleHealth } from "./health.js";
import { listenH2cAndHttp1 } from "./listen.js";
import { rpcLoggingInterceptor } from "./rpc-logging.js";
import { runtimeRoutes } from "./runtime-service.js";
import { strictBinaryHandler } from "./strict-binary-decoding.js";
import { strictDecodingInterceptor, strictJsonOptions, withStrictDecoding } from "./strict-decoding.js";
import type { TransportLimits } from "./transport-limits.js";
import { DEFAULT_MAX_PAYLOAD_BYTES } from "./validate-publish.js";

export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

export interface StartAxonServerOptions extends AxonServiceOptions {
  /** Address to bind, e.g. "127.0.0.1". */
  host: string;
  /** 0 picks an ephemeral port; read it from RunningAxonServer.port. */
  port: number;
  /** Accepted bearer API keys. None means no auth, allowed only on a loopback host. */
  apiKeys?: readonly string[];
  /** How long close() waits for in-flight RPCs before cutting connections. Default 10 s. */
  shutdownTimeoutMs?: number;
  /** When given, SecretService, NetworkPolicyService and GatewayConfigService are served over it. */
  gatewayRegistry?: GatewayRegistry;
  /** When given, RuntimeService is served over it (started by the caller, closed by the caller). */
  runtimes?: RuntimeManager;
  /** Connection, stream, header and idle bounds; DEFAULT_TRANSPORT_LIMITS for whatever is left out. */
  limits?: Partial<TransportLimits>;
}

export interface RunningAxonServer {
  /** Base URL for clients, e.g. "http://127.0.0.1:7433". */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Graceful: stop accepting, end Subscribe streams, finish in-flight RPCs. Leaves the store open. */
  close(): Promise<void>;
}

/**
 * Serves AxonService over gRPC, gRPC-Web and Connect on one port, over HTTP/2 cleartext and
 * HTTP/1.1, with CORS, `/healthz` and bearer auth. Throws before binding when the configuration
 * would expose the service unauthenticated beyond loopback.
 */
export async function startAxonServer(options: StartAxonServerOptions): Promise<RunningAxonServer> {
  const apiKeys = options.apiKeys ?? [];
  assertAuthConfigured(options.host, apiKeys);
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? pino({ level: "silent" });
  const maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;

  const shutdown = new AbortController();
  const shutdownSignal = options.shutdownSignal
    ? AbortSignal.any([options.shutdownSignal, shutdown.signal])
    : shutdown.signal;
  // Room for one maximal payload plus framing, so oversized payloads reach validation and get the
  // precise RESOURCE_EXHAUSTED message; anything far larger is refused while reading.
  const readMaxBytes = Math.max(64 * 1024 * 1024, 2 * maxPayloadBytes + 1024 * 1024);
  /** Request path -> input message type, for the strict JSON decoding hook. */
  const inputs = new Map<string, DescMessage>();
  const rpcHandler = connectNodeAdapter({
    routes: (router) => {
      axonRoutes({ ...options, clock, logger, maxPayloadBytes, shutdownSignal })(router);
      if (options.gatewayRegistry) gatewayRoutes({ registry: options.gatewayRegistry, logger })(router);
      if (options.runtimes) runtimeRoutes({ runtimes: options.runtimes, logger })(router);
      for (const [i, h] of router.handlers.entries()) {
        inputs.set(h.requestPath, h.method.input);
        // connectNodeAdapter reads router.handlers after this callback: wrapped handlers are served.
        router.handlers[i] = strictBinaryHandler(h, readMaxBytes);
      }
    },
    interceptors: [
      rpcLoggingInterceptor(logger),
      ...(apiKeys.length > 0 ? [bearerAuthInterceptor(apiKeys)] : []),
      strictDecodingInterceptor(),
    ],
    jsonOptions: strictJsonOptions as Record<string, unknown>,
    readMaxBytes,
  });

  let draining = false;
  const listener = await listenH2cAndHttp1({
    host: options.host,
    port: options.port,
    handler: (request, response) => {
      if (handleCors(request, response)) return;
      if (handleHealth(request, response, draining)) return;
      const input = inputs.get(request.url?.split("?", 1)[0] ?? "");
      withStrictDecoding(input, () => rpcHandler(request, response));
    },
    limits: options.limits,
    onError: (error) => logger.error({ err: error }, "server error"),
    onConnectionLimit: (limit) =>
      logger.warn(
        { maxConnections: limit },
        "connection limit reached: refusing new connections until some close (logged once per episode)",
      ),
    onResetFlood: (remoteAddress) =>
      logger.warn({ remoteAddress }, "closed an HTTP/2 connection that reset streams faster than allowed"),
  });
  const url = `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${listener.port}`;
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
