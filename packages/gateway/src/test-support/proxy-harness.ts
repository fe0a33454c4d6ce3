import { systemRng } from "@openaxon/core";
import { ManualClock } from "@openaxon/core/testing";
import {
  createAuditLimiter,
  type EgressProxyOptions,
  type EgressRules,
  type GatewayAccessPayload,
  type GatewayAuditEvent,
  type IpAddress,
  startEgressProxy,
} from "@openaxon/gateway";
import { RecordingDialer, TableResolver } from "./network-doubles.js";
import { basicAuth, openTunnel, rawRequest } from "./raw-http.js";

export interface TestProxyOptions {
  readonly policy?: EgressRules;
  readonly dns?: Record<string, string[] | string[][]>;
  /** "8.8.8.8:443" → local port standing in for that public address. */
  readonly redirects?: Record<string, number>;
  readonly maxTunnels?: number;
  readonly hostAddresses?: readonly IpAddress[];
  readonly extra?: Partial<EgressProxyOptions>;
}

export function policy(rules: Partial<EgressRules>): EgressRules {
  return { allowAll: false, allowedHostnames: [], allowedCidrs: [], allowAgentGateway: false, ...rules };
}

/** A real egress proxy on 127.0.0.1 with table DNS, a recording dialer and captured audit events. */
export async function startTestProxy(options: TestProxyOptions = {}) {
  const events: GatewayAuditEvent[] = [];
  const clock = new ManualClock();
  const resolver = new TableResolver(options.dns ?? {});
  const dialer = new RecordingDialer(options.redirects);
  const auditLimiter = createAuditLimiter((event) => events.push(event), { clock, burst: 10_000 });
  const proxy = await startEgressProxy({
    resolver,
    dialer: dialer.dial,
    auditLimiter,
    clock,
    rng: systemRng,
    hostAddresses: () => options.hostAddresses ?? [],
    ...options.extra,
  });
  const access = proxy.registerRuntime({
    runtimeId: "rt_test",
    policy: options.policy,
    maxTunnels: options.maxTunnels,
  });
  const auth = basicAuth(access.username, access.password);
  return {
    proxy,
    access,
    auth,
    events,
    resolver,
    dialer,
    clock,
    /** Access events only, as payloads. */
    access_events: () =>
      events.flatMap((e) =>
        e.eventType === "gateway.suppressed" ? [] : [{ type: e.eventType, ...e.payload }],
      ) as Array<GatewayAccessPayload & { type: string }>,
    connect: (authority: string, extraHeaders = "") => openTunnel(proxy.port, authority, auth, extraHeaders),
    /** An absolute-form (or any) request through the proxy, with the runtime's credential. */
    request: (target: string, headers: Record<string, string> = {}, method = "GET") =>
      rawRequest(
        proxy.port,
        `${method} ${target} HTTP/1.1\r\n${Object.entries({
          "Proxy-Authorization": auth,
          Connection: "close",
          ...headers,
        })
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join("")}\r\n`,
      ),
    close: () => proxy.close(),
  };
}
