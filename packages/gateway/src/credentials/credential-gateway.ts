import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Clock, Rng } from "@openaxon/core";
import {
  type AccessAudit,
  type AuditLimiter,
  type AuditSink,
  accessAudit,
  createAuditLimiter,
} from "../audit.js";
import { parseIpLiteral } from "../egress/ip-address.js";
import type { Listener } from "../egress/policy.js";
import { InvalidHeaderError } from "../http-headers.js";
import { type BoundListeners, type ListenOptions, listenHttp } from "../listeners.js";
import { type GatewayLogger, silentLogger } from "../logger.js";
import { authorizeBindingRequest } from "./authorize.js";
import { type BindingRegistration, issueBinding, partyOf } from "./binding.js";
import { BindingTable } from "./binding-table.js";
import { forwardToUpstream, type GatewayRefuse, UpstreamAgents, upstreamHeaders } from "./upstream.js";

export type { BindingRegistration, GatewayEndpoint } from "./binding.js";

export interface IssuedBinding {
  readonly bindingId: string;
  readonly prefix: string;
  /** The opaque `gws_…` token the agent presents instead of the secret. */
  readonly token: string;
  /** `/b/<bindingId>`: append it to the address the agent reaches the gateway at. */
  readonly path: string;
  /** The binding's base URL (no trailing slash); defaults to the gateway's TCP listener. */
  url(hostPort?: string): string;
}

export interface CredentialGatewayOptions extends ListenOptions {
  readonly clock: Clock;
  /** Draws binding ids and tokens. */
  readonly rng: Rng;
  readonly audit?: AuditSink;
  readonly auditLimiter?: AuditLimiter;
  /**
   * Extra CA certificates (PEM) trusted for upstream TLS, on top of Node's root store. For tests
   * and private upstreams; verification itself is never turned off.
   */
  readonly extraCaCertificates?: readonly string[];
  readonly logger?: GatewayLogger;
}

export interface CredentialGateway {
  readonly host: string;
  readonly port: number;
  readonly unixSocketPath?: string;
  /** Issues the token and URL for one (runtime, binding). Re-registering a prefix replaces it. */
  registerBinding(registration: BindingRegistration): IssuedBinding;
  /** Revokes every token of the runtime; later requests with them get 403. */
  revokeRuntime(runtimeId: string): void;
  /** Where the gateway listens, for the egress proxy's agent-gateway rule. */
  listeners(): Listener[];
  close(): Promise<void>;
}

interface GatewayContext {
  readonly table: BindingTable;
  readonly agents: UpstreamAgents;
  readonly audit: AccessAudit;
  readonly log: GatewayLogger;
}

/**
 * Starts the credential gateway: agents call `$PREFIX_URL/...` with their `gws_…` token where
 * the real key would go; the gateway checks the token belongs to a live runtime and to that very
 * binding, swaps in the secret, forwards to the configured endpoint (TLS verified), and streams
 * the response back unbuffered with every form of the secret scrubbed out of headers and body.
 */
export async function startCredentialGateway(options: CredentialGatewayOptions): Promise<CredentialGateway> {
  const { clock, rng } = options;
  const ownsLimiter = !options.auditLimiter;
  const limiter =
    options.auditLimiter ?? (options.audit ? createAuditLimiter(options.audit, { clock }) : undefined);
  const ctx: GatewayContext = {
    table: new BindingTable(),
    agents: new UpstreamAgents(options.extraCaCertificates),
    audit: accessAudit(limiter, "credential-gateway"),
    log: options.logger ?? silentLogger,
  };
  const bound: BoundListeners = await listenHttp(createGatewayServer(ctx), options);

  return {
    host: bound.host,
    port: bound.port,
    unixSocketPath: bound.unixSocketPath,
    registerBinding(registration) {
      const { binding, token } = issueBinding(registration, clock, rng);
      ctx.table.add(binding);
      const path = `/b/${binding.id}`;
      return {
        bindingId: binding.id,
        prefix: binding.prefix,
        token,
        path,
        url: (hostPort = `${bound.host}:${bound.port}`) => `http://${hostPort}${path}`,
      };
    },
    revokeRuntime(runtimeId) {
      ctx.table.revokeRuntime(runtimeId);
      if (ownsLimiter) limiter?.forget(runtimeId);
    },
    listeners() {
      const address = parseIpLiteral(bound.host);
      return address ? [{ address, port: bound.port }] : [];
    },
    async close() {
      ctx.agents.destroy();
      await bound.close();
      if (ownsLimiter) limiter?.close();
    },
  };
}

function createGatewayServer(ctx: GatewayContext) {
  const server = createServer({ requireHostHeader: false, insecureHTTPParser: false });
  server.on("request", (req, res) => {
    try {
      handle(ctx, req, res);
    } catch (error) {
      ctx.log.error({ err: String(error) }, "credential gateway request failed");
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    }
  });
  server.on("clientError", (_error, socket) => {
    if (socket.writable)
      socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    else socket.destroy();
  });
  return server;
}

/** Thin I/O around `authorizeBindingRequest`: answer refusals, audit, inject and forward. */
function handle(ctx: GatewayContext, req: IncomingMessage, res: ServerResponse) {
  const refuse: GatewayRefuse = (status, reason) => {
    if (res.headersSent) return void res.destroy();
    res
      .writeHead(status, { "content-type": "text/plain; charset=utf-8" })
      .end(`openaxon gateway: ${reason}\n`);
  };
  const decision = authorizeBindingRequest({ url: req.url ?? "", headers: req.headers }, ctx.table);
  if (decision.outcome === "refuse") return refuse(decision.status, decision.reason);
  if (decision.outcome === "deny") {
    ctx.audit(false, decision.audit);
    return refuse(decision.status, decision.reason);
  }
  const { binding, path } = decision;
  let headers: string[];
  try {
    headers = upstreamHeaders(req.rawHeaders, binding);
  } catch (error) {
    if (!(error instanceof InvalidHeaderError)) throw error;
    return refuse(400, error.message);
  }
  const { runtimeId, prefix, host, port } = partyOf(binding);
  ctx.audit(true, {
    runtime_id: runtimeId,
    host,
    port,
    rule: `binding:${prefix}`,
    reason: "credential injected",
    binding: prefix,
  });
  forwardToUpstream(req, res, { binding, path, headers }, ctx.agents, ctx.log, refuse);
}
