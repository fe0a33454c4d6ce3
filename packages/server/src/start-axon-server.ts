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
  const rpcHandler = connectNodeAdapter({
    routes: (router) => {
      axonRoutes({ ...options, clock, logger, maxPayloadBytes, shutdownSignal })(router);
      if (options.gatewayRegistry) gatewayRoutes({ registry: options.gatewayRegistry, logger })(router);
      if (options.runtimes) runtimeRoutes({ runtimes: options.runtimes, logger })(router);
    },
    interceptors: [
      rpcLoggingInterceptor(logger),
      ...(apiKeys.length > 0 ? [bearerAuthInterceptor(apiKeys)] : []),
    ],
    // Room for one maximal payload plus framing, so oversized payloads reach validation and get the
    // precise RESOURCE_EXHAUSTED message; anything far larger is refused while reading.
    readMaxBytes: Math.max(64 * 1024 * 1024, 2 * maxPayloadBytes + 1024 * 1024),
  });

  let draining = false;
  const listener = await listenH2cAndHttp1({
    host: options.host,
    port: options.port,
    handler: (request, response) => {
      if (handleCors(request, response)) return;
      if (handleHealth(request, response, draining, options.store)) return;
      rpcHandler(request, response);
    },
    onError: (error) => logger.error({ err: error }, "server error"),
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
