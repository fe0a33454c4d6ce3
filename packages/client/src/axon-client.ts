import { createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import {
  AxonService,
  GatewayConfigService,
  NetworkPolicyService,
  RuntimeService,
  SecretService,
  SqlService,
  WebhookService,
} from "@openaxon/protocol";
import { createDefaultTransport, defaultTransportStreamsBothWays } from "#default-transport";
import { type AgentSession, createAgentSession } from "./agent-session.js";
import { AppendProducer, type ProducerOptions } from "./append-producer.js";
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
import { messageFrames, wireFrames } from "./subscribe-frames.js";
import { systemTimers, type Timers } from "./timers.js";
import { createWebhooks, type Webhooks } from "./webhooks.js";

export interface AxonClientOptions {
  /** Where axond listens, e.g. "http://127.0.0.1:7433". Required unless `transport` is given. */
  readonly baseUrl?: string;
  /**
   * PEM CA certificate(s) to trust for an https:// `baseUrl` instead of Node's bundled roots (a
   * self-signed axond's own certificate, say). Node only; NODE_EXTRA_CA_CERTS adds to the roots
   * instead. Ignored with a custom `transport` and in browsers.
   */
  readonly ca?: string | readonly string[];
  /** Sent as `Authorization: Bearer <apiKey>` on every call. */
  readonly apiKey?: string;
  /**
   * Any Connect transport: e.g. connect-node's gRPC transport, or `createRouterTransport` for an
   * in-process server. Default: the Connect protocol (binary) over HTTP/2 (connect-node) in Node,
   * over fetch in browsers.
   */
  readonly transport?: Transport;
  /** Extra interceptors for the default transport (ignored when `transport` is given). */
  readonly interceptors?: readonly Interceptor[];
  /** `source` of published events that don't name one. Default "client". */
  readonly source?: string;
  /** Defaults for subscription reconnects; `subscribe({ retry })` overrides per call. */
  readonly retry?: RetryOptions;
  /**
   * How `axon.publish()` coalesces concurrent calls into batches on one Append session (a bidi
   * stream). On by default with the default transport in Node (HTTP/2); off in browsers, whose
   * fetch cannot stream both ways, and with a custom `transport` unless set here (it must carry
   * bidi streams: gRPC or Connect over HTTP/2). `false` keeps every publish a unary call.
   */
  readonly producer?: ProducerOptions | boolean;
  /**
   * Decode the events of `subscribe()`, and encode those of coalesced `publish()` batches, by hand
   * instead of through protobuf-es messages: the same bytes, several times less client CPU per
   * event (interceptors then see Append requests with `events` empty and the events' bytes as an
   * unknown field). On with the default transport;
   * off with a custom `transport` unless set here, and then the transport must use a binary codec
   * (gRPC, gRPC-Web or Connect with `useBinaryFormat`), not JSON.
   */
  readonly wireDecoding?: boolean;
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
  /** Signed webhooks into axons (GitHub, Slack, generic HMAC). */
  readonly webhooks: Webhooks;
  /** Prompts the agent mounted on an axon and follows its turns. No call is made until you prompt. */
  agentSession(axonId: string): AgentSession;
}

export function createAxonClient(options: AxonClientOptions): AxonClient {
  const transport = resolveTransport(options);
  const rpc = createClient(AxonService, transport);
  const timers = options.timers ?? systemTimers;
  // The default transports speak binary, so hand encoding and decoding are safe with them.
  const wireDecoding = options.wireDecoding ?? !options.transport;
  const producerSetting = options.producer ?? (options.transport ? false : defaultTransportStreamsBothWays);
  const producer =
    producerSetting === false
      ? undefined
      : new AppendProducer(rpc, timers, producerSetting === true ? {} : producerSetting, wireDecoding);
  const defaults = {
    subscribeFrames: wireDecoding ? wireFrames(transport) : messageFrames(rpc),
    source: options.source ?? "client",
    retry: options.retry,
    timers,
    producer,
    sqlRpc: createClient(SqlService, transport),
  };
  return {
    axons: createAxons(rpc),
    axon: (id) => createAxonHandle(rpc, id, defaults),
    runtimes: createRuntimes(createClient(RuntimeService, transport)),
    secrets: createSecrets(createClient(SecretService, transport)),
    networkPolicies: createNetworkPolicies(createClient(NetworkPolicyService, transport)),
    gatewayConfigs: createGatewayConfigs(createClient(GatewayConfigService, transport)),
    webhooks: createWebhooks(createClient(WebhookService, transport)),
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
  return createDefaultTransport({
    baseUrl: options.baseUrl,
    interceptors,
    ...(options.ca === undefined ? {} : { ca: options.ca }),
  });
}
