import { createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import {
  AxonService,
  GatewayConfigService,
  NetworkPolicyService,
  RuntimeService,
  SecretService,
} from "@openaxon/protocol";
import { type AgentSession, createAgentSession } from "./agent-session.js";
import { bearerAuthInterceptor, withBearerAuth } from "./auth.js";
import { type AxonHandle, createAxonHandle } from "./axon-handle.js";
import { type Axons, createAxons } from "./axons.js";
import type { RetryOptions } from "./backoff.js";
import {
  createGatewayConfigs,
  createNetworkPolicies,
  createSecrets,
  type GatewayConfigs,
  type NetworkPolicies,
  type Secrets,
} from "./gateway-resources.js";
import { createRuntimes, type Runtimes } from "./runtimes.js";
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
  /** Runtimes hosting agents on axons (create, get, list, suspend, resume, shutdown). */
  readonly runtimes: Runtimes;
  /** Write-only secrets for the credential gateway. */
  readonly secrets: Secrets;
  /** Egress policies for runtimes. */
  readonly networkPolicies: NetworkPolicies;
  /** Upstream APIs the credential gateway forwards to. */
  readonly gatewayConfigs: GatewayConfigs;
  /** Prompts the agent mounted on an axon and follows its turns. No call is made until you prompt. */
  agentSession(axonId: string): AgentSession;
}

export function createAxonClient(options: AxonClientOptions): AxonClient {
  const transport = resolveTransport(options);
  const rpc = createClient(AxonService, transport);
  const defaults = {
    source: options.source ?? "client",
    retry: options.retry,
    timers: options.timers ?? systemTimers,
  };
  return {
    axons: createAxons(rpc),
    axon: (id) => createAxonHandle(rpc, id, defaults),
    runtimes: createRuntimes(createClient(RuntimeService, transport)),
    secrets: createSecrets(createClient(SecretService, transport)),
    networkPolicies: createNetworkPolicies(createClient(NetworkPolicyService, transport)),
    gatewayConfigs: createGatewayConfigs(createClient(GatewayConfigService, transport)),
    agentSession: (axonId) => createAgentSession(createAxonHandle(rpc, axonId, defaults), defaults.source),
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
