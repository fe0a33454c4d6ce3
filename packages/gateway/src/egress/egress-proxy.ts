import type { Clock, Rng } from "@openaxon/core";
import { type AuditLimiter, type AuditSink, accessAudit, createAuditLimiter } from "../audit.js";
import { type BoundListeners, type ListenOptions, listenHttp } from "../listeners.js";
import { type GatewayLogger, silentLogger } from "../logger.js";
import type { EgressContext } from "./context.js";
import { type Dialer, systemDialer } from "./dialer.js";
import { hostAddresses as systemHostAddresses } from "./host-addresses.js";
import { type IpAddress, parseIpLiteral } from "./ip-address.js";
import type { EgressRules, Listener } from "./policy.js";
import { ProxyCredentials } from "./proxy-credentials.js";
import { createProxyServer } from "./proxy-server.js";
import { type Resolver, systemResolver } from "./resolver.js";
import { RuntimeTable } from "./runtime-table.js";
import { timedDial } from "./timed-dial.js";
import { TunnelSlots } from "./tunnel-slots.js";

export interface EgressProxyOptions extends ListenOptions {
  readonly resolver?: Resolver;
  readonly dialer?: Dialer;
  readonly clock: Clock;
  /** Draws the runtimes' proxy credentials. */
  readonly rng: Rng;
  /** Receives `gateway.allowed` / `gateway.denied` (rate-limited per runtime). */
  readonly audit?: AuditSink;
  /** Share one limiter with the credential gateway; by default the proxy makes its own. */
  readonly auditLimiter?: AuditLimiter;
  /** Default cap on a runtime's concurrent tunnels and in-flight requests. Default 64. */
  readonly maxTunnelsPerRuntime?: number;
  /** This machine's addresses; default reads the network interfaces on every decision. */
  readonly hostAddresses?: () => readonly IpAddress[];
  /** Give up on an upstream that has not accepted the TCP connection in time. Default 10 s. */
  readonly connectTimeoutMs?: number;
  readonly logger?: GatewayLogger;
}

export interface RuntimeRegistration {
  readonly runtimeId: string;
  /** The runtime's network policy; none means public internet only. */
  readonly policy?: EgressRules;
  readonly maxTunnels?: number;
}

/** What a runtime needs to use the proxy. The password is a proxy credential, not a secret value. */
export interface RuntimeProxyAccess {
  readonly runtimeId: string;
  readonly username: string;
  readonly password: string;
  /**
   * The proxy URL for HTTP_PROXY & co. Pass the address the agent reaches the proxy at
   * (e.g. the sandbox bridge "127.0.0.1:3128"); defaults to the proxy's TCP listener.
   */
  proxyUrl(hostPort?: string): string;
}

export interface EgressProxy {
  readonly host: string;
  readonly port: number;
  readonly unixSocketPath?: string;
  /** Registers a runtime (again: rotates its credential) and returns how it reaches the proxy. */
  registerRuntime(registration: RuntimeRegistration): RuntimeProxyAccess;
  /** Replaces a runtime's policy; applies from the next connection. Throws on invalid rules. */
  updatePolicy(runtimeId: string, policy: EgressRules | undefined): void;
  /** Forgets the runtime's credential and closes its open tunnels. */
  revokeRuntime(runtimeId: string): void;
  /** The credential gateway's listeners, reachable through the proxy when the policy allows. */
  setAgentGatewayListeners(listeners: readonly Listener[]): void;
  openTunnels(runtimeId: string): number;
  close(): Promise<void>;
}

/**
 * Starts the egress proxy: an HTTP proxy for CONNECT tunnels and absolute-form plain HTTP. Each
 * request is authenticated to a runtime by its proxy credential, its authority is parsed
 * strictly (400 before any policy check), the host is resolved once, every answer is checked
 * against the runtime's policy, and exactly the checked address is dialled. The Host header never
 * routes anything: CONNECT dials its authority, absolute-form requests get their Host header
 * rewritten to the checked authority.
 */
export async function startEgressProxy(options: EgressProxyOptions): Promise<EgressProxy> {
  const { clock } = options;
  const ownsLimiter = !options.auditLimiter;
  const limiter =
    options.auditLimiter ?? (options.audit ? createAuditLimiter(options.audit, { clock }) : undefined);
  const ctx: EgressContext = {
    credentials: new ProxyCredentials(options.rng),
    runtimes: new RuntimeTable(options.maxTunnelsPerRuntime ?? 64),
    slots: new TunnelSlots(),
    resolver: options.resolver ?? systemResolver,
    hostAddresses: options.hostAddresses ?? systemHostAddresses,
    listeners: { proxy: [], agentGateway: [] },
    audit: accessAudit(limiter, "egress-proxy"),
    dial: timedDial(options.dialer ?? systemDialer, clock, options.connectTimeoutMs ?? 10_000),
    log: options.logger ?? silentLogger,
  };
  const bound: BoundListeners = await listenHttp(createProxyServer(ctx), options);
  const listenAddress = parseIpLiteral(bound.host);
  if (listenAddress) ctx.listeners.proxy = [{ address: listenAddress, port: bound.port }];

  return {
    host: bound.host,
    port: bound.port,
    unixSocketPath: bound.unixSocketPath,
    registerRuntime({ runtimeId, policy, maxTunnels }) {
      ctx.runtimes.register(runtimeId, policy, maxTunnels);
      const { username, password } = ctx.credentials.issue(runtimeId);
      return {
        runtimeId,
        username,
        password,
        proxyUrl: (hostPort = `${bound.host}:${bound.port}`) => `http://${username}:${password}@${hostPort}`,
      };
    },
    updatePolicy: (runtimeId, policy) => ctx.runtimes.updatePolicy(runtimeId, policy),
    revokeRuntime(runtimeId) {
      ctx.credentials.revoke(runtimeId);
      ctx.runtimes.remove(runtimeId);
      if (ownsLimiter) limiter?.forget(runtimeId);
    },
    setAgentGatewayListeners(listeners) {
      ctx.listeners.agentGateway = [...listeners];
    },
    openTunnels: (runtimeId) => ctx.slots.inUse(runtimeId),
    async close() {
      ctx.runtimes.clear();
      await bound.close();
      if (ownsLimiter) limiter?.close();
    },
  };
}
