import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { type Clock, type Rng, systemClock, systemRng } from "@openaxon/core";
import {
  type AuditLimiter,
  type AuditSink,
  createAuditLimiter,
  type GatewayAccessPayload,
} from "../audit.js";
import { forwardableHeaders, InvalidHeaderError } from "../http-headers.js";
import { type BoundListeners, type ListenOptions, listenHttp } from "../listeners.js";
import { type GatewayLogger, silentLogger } from "../logger.js";
import {
  type Authority,
  formatAuthority,
  formatHost,
  parseAbsoluteHttpTarget,
  parseConnectAuthority,
} from "./authority.js";
import { checkDestination } from "./destination-check.js";
import { type Dialer, systemDialer } from "./dialer.js";
import { hostAddresses as systemHostAddresses } from "./host-addresses.js";
import { type IpAddress, parseIpLiteral } from "./ip-address.js";
import { parserRejection } from "./parser-rejection.js";
import {
  type CompiledEgressPolicy,
  compileEgressPolicyOrThrow,
  type EgressRules,
  type Listener,
} from "./policy.js";
import { ProxyCredentials } from "./proxy-credentials.js";
import { type Resolver, systemResolver } from "./resolver.js";
import { TunnelSlots } from "./tunnel-slots.js";

export interface EgressProxyOptions extends ListenOptions {
  readonly resolver?: Resolver;
  readonly dialer?: Dialer;
  readonly clock?: Clock;
  readonly rng?: Rng;
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

interface RuntimeState {
  policy: CompiledEgressPolicy | undefined;
  maxTunnels: number;
  connections: Set<Duplex>;
}

/**
 * Starts the egress proxy: an HTTP proxy for CONNECT tunnels and absolute-form plain HTTP. Each
 * request is authenticated to a runtime by its proxy credential, its authority is parsed
 * strictly (400 before any policy check), the host is resolved once, every answer is checked
 * against the runtime's policy, and exactly the checked address is dialled. The Host header never
 * routes anything: CONNECT dials its authority, absolute-form requests get their Host header
 * rewritten to the checked authority.
 */
export async function startEgressProxy(options: EgressProxyOptions = {}): Promise<EgressProxy> {
  const resolver = options.resolver ?? systemResolver;
  const dialer = options.dialer ?? systemDialer;
  const clock = options.clock ?? systemClock;
  const log = options.logger ?? silentLogger;
  const defaultMaxTunnels = options.maxTunnelsPerRuntime ?? 64;
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const readHostAddresses = options.hostAddresses ?? systemHostAddresses;
  const limiter =
    options.auditLimiter ?? (options.audit ? createAuditLimiter(options.audit, { clock }) : undefined);
  const credentials = new ProxyCredentials(options.rng ?? systemRng);
  const slots = new TunnelSlots();
  const runtimes = new Map<string, RuntimeState>();
  let agentGatewayListeners: readonly Listener[] = [];
  let proxyListeners: Listener[] = [];

  const audit = (allowed: boolean, payload: Omit<GatewayAccessPayload, "via">) =>
    limiter?.record({
      eventType: allowed ? "gateway.allowed" : "gateway.denied",
      payload: { ...payload, via: "egress-proxy" },
    });

  /** Everything both request kinds share: who is asking, may they, and which address to dial. */
  async function admit(
    req: IncomingMessage,
    parse: () => { authority: Authority } | { error: string },
    refuse: (status: number, reason: string, rule?: string) => void,
  ): Promise<{ runtimeId: string; address: string; authority: Authority; release: () => void } | undefined> {
    const runtimeId = credentials.verify(req.headers["proxy-authorization"]);
    const state = runtimeId ? runtimes.get(runtimeId) : undefined;
    if (!runtimeId || !state) {
      refuse(407, "proxy authentication required");
      return undefined;
    }
    const parsed = parse();
    if ("error" in parsed) {
      audit(false, {
        runtime_id: runtimeId,
        host: "",
        port: 0,
        rule: "deny:malformed",
        reason: parsed.error,
      });
      refuse(400, parsed.error, "deny:malformed");
      return undefined;
    }
    const { authority } = parsed;
    const host = formatHost(authority.host);
    const release = slots.tryAcquire(runtimeId, state.maxTunnels);
    if (!release) {
      const reason = `runtime already has ${state.maxTunnels} open connections`;
      audit(false, { runtime_id: runtimeId, host, port: authority.port, rule: "deny:tunnel-limit", reason });
      refuse(429, reason, "deny:tunnel-limit");
      return undefined;
    }
    const check = await checkDestination(authority, state.policy, resolver, {
      hostAddresses: readHostAddresses(),
      proxyListeners,
      agentGatewayListeners,
    });
    if (check.outcome !== "allowed") {
      release();
      const unresolvable = check.outcome === "unresolvable";
      const rule = unresolvable ? "deny:unresolvable" : check.decision.rule;
      const reason = unresolvable ? check.reason : check.decision.reason;
      const address = unresolvable ? undefined : check.decision.address;
      audit(false, { runtime_id: runtimeId, host, port: authority.port, rule, reason, address });
      refuse(unresolvable ? 502 : 403, reason, rule);
      return undefined;
    }
    const { rule, reason } = check.decision;
    audit(true, { runtime_id: runtimeId, host, port: authority.port, rule, reason, address: check.address });
    return { runtimeId, address: check.address, authority, release };
  }

  /** Dials the checked address, failing after connectTimeoutMs. */
  function dial(address: string, port: number, onConnect: () => void, onFail: (error: Error) => void) {
    const upstream = dialer(address, port);
    const timer = clock.setTimer(connectTimeoutMs, () => upstream.destroy(new Error("connect timeout")));
    upstream.once("connect", () => {
      timer.cancel();
      onConnect();
    });
    upstream.on("error", (error) => {
      timer.cancel();
      onFail(error);
    });
    return upstream;
  }

  function track(runtimeId: string, ...streams: Duplex[]) {
    const set = runtimes.get(runtimeId)?.connections;
    if (!set) {
      for (const s of streams) s.destroy();
      return;
    }
    for (const s of streams) {
      // Keep-alive sockets carry many requests; register each socket once.
      if (set.has(s)) continue;
      set.add(s);
      s.once("close", () => set.delete(s));
    }
  }

  async function handleConnect(req: IncomingMessage, client: Duplex, head: Buffer) {
    client.on("error", () => client.destroy());
    const refuse = (status: number, reason: string, rule?: string) => {
      const body = `${reason}\n`;
      const lines = [
        `HTTP/1.1 ${status} ${statusText(status)}`,
        "Content-Type: text/plain; charset=utf-8",
        `Content-Length: ${Buffer.byteLength(body)}`,
        "Connection: close",
      ];
      if (status === 407) lines.push('Proxy-Authenticate: Basic realm="openaxon"');
      if (rule) lines.push(`X-OpenAxon-Egress-Rule: ${rule}`);
      client.end(`${lines.join("\r\n")}\r\n\r\n${body}`);
    };
    const admitted = await admit(req, () => toAuthority(parseConnectAuthority(req.url ?? "")), refuse);
    if (!admitted) return;
    const { runtimeId, address, authority, release } = admitted;
    if (client.destroyed) {
      release();
      return;
    }
    let open = 2;
    const closed = () => {
      open -= 1;
      if (open === 0) release();
    };
    client.once("close", closed);
    let established = false;
    const upstream = dial(
      address,
      authority.port,
      () => {
        established = true;
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        if (head.length > 0) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      },
      (error) => {
        log.debug(
          { runtime_id: runtimeId, host: formatAuthority(authority), err: error.message },
          "tunnel failed",
        );
        if (!established) refuse(502, "upstream connection failed");
        else client.destroy();
      },
    );
    upstream.once("close", closed);
    // A clean end travels through pipe() as a half-close; only a vanished client tears down.
    client.once("close", () => upstream.destroy());
    track(runtimeId, client, upstream);
  }

  async function handleRequest(req: IncomingMessage, res: ServerResponse) {
    const refuse = (status: number, reason: string, rule?: string) => {
      if (res.headersSent) return void res.destroy();
      const headers: Record<string, string> = {
        "content-type": "text/plain; charset=utf-8",
        connection: "close",
      };
      if (status === 407) headers["proxy-authenticate"] = 'Basic realm="openaxon"';
      if (rule) headers["x-openaxon-egress-rule"] = rule;
      res.writeHead(status, headers).end(`${reason}\n`);
    };
    let path = "/";
    const admitted = await admit(
      req,
      () => {
        const target = parseAbsoluteHttpTarget(req.url ?? "");
        if ("error" in target) return target;
        path = target.path;
        return { authority: target.authority };
      },
      refuse,
    );
    if (!admitted) return;
    const { runtimeId, address, authority, release } = admitted;
    res.once("close", release);
    let headers: string[];
    try {
      headers = forwardableHeaders(req.rawHeaders);
    } catch (error) {
      if (!(error instanceof InvalidHeaderError)) throw error;
      refuse(400, error.message);
      return;
    }
    // The checked authority is the only destination; a Host header naming anything else is
    // replaced, never followed (RFC 9112 §3.2.2).
    headers.push("Host", authority.port === 80 ? formatHost(authority.host) : formatAuthority(authority));
    const upstreamReq = httpRequest({
      method: req.method,
      path,
      headers,
      setHost: false,
      // No agent: each request gets its own connection to the address checked for it.
      createConnection: () =>
        dial(
          address,
          authority.port,
          () => {},
          () => {},
        ),
    });
    upstreamReq.on("response", (upstreamRes) => {
      let responseHeaders: string[];
      try {
        responseHeaders = forwardableHeaders(upstreamRes.rawHeaders);
      } catch {
        upstreamRes.destroy();
        refuse(502, "upstream sent an invalid header");
        return;
      }
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, responseHeaders);
      upstreamRes.pipe(res);
      upstreamRes.once("error", () => res.destroy());
    });
    upstreamReq.on("error", (error) => {
      log.debug(
        { runtime_id: runtimeId, host: formatAuthority(authority), err: error.message },
        "request failed",
      );
      refuse(502, "upstream connection failed");
    });
    res.once("close", () => upstreamReq.destroy());
    req.pipe(upstreamReq);
    track(runtimeId, req.socket);
  }

  const server = createServer({ requireHostHeader: false, insecureHTTPParser: false });
  server.on("request", (req, res) => {
    handleRequest(req, res).catch((error) => {
      log.error({ err: String(error) }, "egress proxy request failed");
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  server.on("connect", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    handleConnect(req, socket, head).catch((error) => {
      log.error({ err: String(error) }, "egress proxy tunnel failed");
      socket.destroy();
    });
  });
  // Upgrades over absolute-form (WebSocket via plain HTTP) are not proxied; wss:// uses CONNECT.
  server.on("upgrade", (_req: IncomingMessage, socket: Duplex) => {
    socket.end("HTTP/1.1 501 Not Implemented\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  });
  // Unparseable requests (bad request line, CR/LF or NUL in a header) never reach a handler.
  server.on("clientError", (error: Error, socket: Duplex) => {
    const rejection = parserRejection(error);
    if (rejection) {
      // Attributed to a runtime only by a credential that verifies; otherwise it stays anonymous.
      const runtimeId = credentials.verify(rejection.proxyAuthorization);
      const known = runtimeId !== undefined && runtimes.has(runtimeId);
      audit(false, {
        runtime_id: known ? runtimeId : "",
        host: "",
        port: 0,
        rule: "deny:malformed",
        reason: rejection.reason,
      });
    }
    if (socket.writable)
      socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    else socket.destroy();
  });

  const bound: BoundListeners = await listenHttp(server, options);
  const listenAddress = parseIpLiteral(bound.host);
  if (listenAddress) proxyListeners = [{ address: listenAddress, port: bound.port }];

  return {
    host: bound.host,
    port: bound.port,
    unixSocketPath: bound.unixSocketPath,
    registerRuntime({ runtimeId, policy, maxTunnels }) {
      const compiled = policy ? compileEgressPolicyOrThrow(policy) : undefined;
      const previous = runtimes.get(runtimeId);
      runtimes.set(runtimeId, {
        policy: compiled,
        maxTunnels: maxTunnels ?? defaultMaxTunnels,
        connections: previous?.connections ?? new Set(),
      });
      const { username, password } = credentials.issue(runtimeId);
      return {
        runtimeId,
        username,
        password,
        proxyUrl: (hostPort = `${bound.host}:${bound.port}`) => `http://${username}:${password}@${hostPort}`,
      };
    },
    updatePolicy(runtimeId, policy) {
      const state = runtimes.get(runtimeId);
      if (!state) throw new Error(`runtime ${runtimeId} is not registered with the egress proxy`);
      state.policy = policy ? compileEgressPolicyOrThrow(policy) : undefined;
    },
    revokeRuntime(runtimeId) {
      credentials.revoke(runtimeId);
      const state = runtimes.get(runtimeId);
      runtimes.delete(runtimeId);
      for (const connection of state?.connections ?? []) connection.destroy();
      if (!options.auditLimiter) limiter?.forget(runtimeId);
    },
    setAgentGatewayListeners(listeners) {
      agentGatewayListeners = [...listeners];
    },
    openTunnels: (runtimeId) => slots.inUse(runtimeId),
    async close() {
      for (const state of runtimes.values()) for (const c of state.connections) c.destroy();
      runtimes.clear();
      await bound.close();
      if (!options.auditLimiter) limiter?.close();
    },
  };
}

function toAuthority(parsed: Authority | { error: string }): { authority: Authority } | { error: string } {
  return "error" in parsed ? parsed : { authority: parsed };
}

function statusText(status: number): string {
  const texts: Record<number, string> = {
    400: "Bad Request",
    403: "Forbidden",
    407: "Proxy Authentication Required",
    429: "Too Many Requests",
    502: "Bad Gateway",
  };
  return texts[status] ?? "Error";
}
