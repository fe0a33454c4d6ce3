import { createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { AxonService } from "@openaxon/protocol";
import { bearerAuthInterceptor, withBearerAuth } from "./auth.js";
import { type AxonHandle, createAxonHandle } from "./axon-handle.js";
import { type Axons, createAxons } from "./axons.js";
import type { RetryOptions } from "./backoff.js";
import { systemTimers, type Timers } from "./timers.js";

export interface AxonClientOptions {
  /** Where axond listens, e.g. "http://127.0.0.1:7433". Required unless `transport` is given. */
  readonly baseUrl?: string;
  /** Sent as `Authorization: Bearer <apiKey>` on every call. */
  readonly apiKey?: string;
  /**
   * Any Connect transport: e.g. connect-node's gRPC transport, or `createRouterTransport` for an
   * in-process server. Default: the Connect protocol (binary) over fetch, which works in Node 20+
   * and browsers alike.
   */
  readonly transport?: Transport;
  /** Extra interceptors for the default transport (ignored when `transport` is given). */
  readonly interceptors?: readonly Interceptor[];
  /** `source` of published events that don't name one. Default "client". */
  readonly source?: string;
  /** Defaults for subscription reconnects; `subscribe({ retry })` overrides per call. */
  readonly retry?: RetryOptions;
  /** Timers for backoff waits and the idle watchdog; pass a virtual clock in simulations. */
  readonly timers?: Timers;
}

export interface AxonClient {
  readonly axons: Axons;
  /** A handle on one axon; no call is made until you use it. */
  axon(id: string): AxonHandle;
}

export function createAxonClient(options: AxonClientOptions): AxonClient {
  const rpc = createClient(AxonService, resolveTransport(options));
  const defaults = {
    source: options.source ?? "client",
    retry: options.retry,
    timers: options.timers ?? systemTimers,
  };
  return {
    axons: createAxons(rpc),
    axon: (id) => createAxonHandle(rpc, id, defaults),
  };
}

function resolveTransport(options: AxonClientOptions): Transport {
  if (options.transport) {
    return options.apiKey ? withBearerAuth(options.transport, options.apiKey) : options.transport;
  }
  if (!options.baseUrl) {
    throw new TypeError("createAxonClient needs a baseUrl (e.g. http://127.0.0.1:7433) or a transport");
  }
  const interceptors = [...(options.interceptors ?? [])];
  if (options.apiKey) interceptors.push(bearerAuthInterceptor(options.apiKey));
  return createConnectTransport({ baseUrl: options.baseUrl, useBinaryFormat: true, interceptors });
}
