import { createHash } from "node:crypto";
import {
  createServer,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { pipeline, type Transform } from "node:stream";
import { rootCertificates } from "node:tls";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import { type Clock, newId, type Rng, systemClock, systemRng } from "@openaxon/core";
import { AuthMechanismType } from "@openaxon/protocol";
import { bindingPrefixError } from "../agent-env.js";
import {
  type AuditLimiter,
  type AuditSink,
  createAuditLimiter,
  type GatewayAccessPayload,
} from "../audit.js";
import { parseIpLiteral } from "../egress/ip-address.js";
import type { Listener } from "../egress/policy.js";
import { forwardableHeaders, InvalidHeaderError } from "../http-headers.js";
import { type BoundListeners, type ListenOptions, listenHttp } from "../listeners.js";
import { type GatewayLogger, silentLogger } from "../logger.js";
import { parseBindingTarget, upstreamPath } from "./binding-path.js";
import { createSecretScrubber, scrubText, secretForms } from "./secret-scrubber.js";

/** An upstream API, shaped like the `openaxon.v1.GatewayConfig` message. */
export interface GatewayEndpoint {
  readonly id: string;
  readonly name: string;
  /** Base URL, e.g. "https://api.anthropic.com"; the agent's path is appended. */
  readonly endpoint: string;
  readonly authMechanism?: { readonly type: AuthMechanismType; readonly key: string };
  readonly customHeaders: Readonly<Record<string, string>>;
}

export interface BindingRegistration {
  readonly runtimeId: string;
  /** The env-var prefix: the agent gets `$PREFIX_URL` and `$PREFIX`. */
  readonly prefix: string;
  readonly gateway: GatewayEndpoint;
  /** The real secret value. Stays inside the gateway. */
  readonly secret: string;
}

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
  readonly clock?: Clock;
  readonly rng?: Rng;
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

interface Binding {
  readonly id: string;
  readonly runtimeId: string;
  readonly prefix: string;
  readonly gateway: GatewayEndpoint;
  readonly upstream: URL;
  readonly secret: string;
  readonly tokenDigest: string;
  /** Everything a response could echo the secret back as. */
  readonly needles: string[];
}

const MIN_SECRET_LENGTH = 8;
const REVOKED_MEMORY = 10_000;

/** Who a binding belongs to and where it leads: everything an audit event may say. */
interface Party {
  readonly runtimeId: string;
  readonly prefix: string;
  readonly host: string;
  readonly port: number;
}

function partyOf(binding: Binding): Party {
  return {
    runtimeId: binding.runtimeId,
    prefix: binding.prefix,
    host: binding.upstream.hostname,
    port: portOf(binding.upstream),
  };
}
const TLS_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO|TLS|SSL|HOSTNAME|ALTNAME/i;

/**
 * Starts the credential gateway: agents call `$PREFIX_URL/...` with their `gws_…` token where
 * the real key would go; the gateway checks the token belongs to a live runtime and to that very
 * binding, swaps in the secret, forwards to the configured endpoint (TLS verified), and streams
 * the response back unbuffered with every form of the secret scrubbed out of headers and body.
 */
export async function startCredentialGateway(
  options: CredentialGatewayOptions = {},
): Promise<CredentialGateway> {
  const clock = options.clock ?? systemClock;
  const rng = options.rng ?? systemRng;
  const log = options.logger ?? silentLogger;
  const limiter =
    options.auditLimiter ?? (options.audit ? createAuditLimiter(options.audit, { clock }) : undefined);
  const ca = options.extraCaCertificates?.length
    ? [...rootCertificates, ...options.extraCaCertificates]
    : undefined;
  const httpsAgent = new HttpsAgent({ keepAlive: true, ca });
  const httpAgent = new HttpAgent({ keepAlive: true });
  const bindings = new Map<string, Binding>();
  const byToken = new Map<string, Binding>();

  const audit = (allowed: boolean, payload: Omit<GatewayAccessPayload, "via">) =>
    limiter?.record({
      eventType: allowed ? "gateway.allowed" : "gateway.denied",
      payload: { ...payload, via: "credential-gateway" },
    });

  // Revoked and replaced bindings are remembered (without their secret) so a stale token gets a
  // clear 403 and an audit event attributed to its runtime, instead of an anonymous 404.
  const revokedBindings = new Map<string, Party>();
  const revokedTokens = new Map<string, Party>();
  const remember = (map: Map<string, Party>, key: string, party: Party) => {
    map.set(key, party);
    if (map.size > REVOKED_MEMORY) map.delete(map.keys().next().value!);
  };
  const removeBinding = (binding: Binding) => {
    bindings.delete(binding.id);
    byToken.delete(binding.tokenDigest);
    remember(revokedBindings, binding.id, partyOf(binding));
    remember(revokedTokens, binding.tokenDigest, partyOf(binding));
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const refuse = (status: number, reason: string) => {
      if (res.headersSent) return void res.destroy();
      res
        .writeHead(status, { "content-type": "text/plain; charset=utf-8" })
        .end(`openaxon gateway: ${reason}\n`);
    };
    const requested = parseBindingTarget(req.url ?? "");
    const id = requested?.bindingId;
    const binding = id ? bindings.get(id) : undefined;
    const target = binding ? partyOf(binding) : id ? revokedBindings.get(id) : undefined;
    const presented = binding ? presentedToken(req, binding) : anyToken(req);
    const tokenDigest = presented ? digest(presented) : undefined;
    const owner = tokenDigest ? byToken.get(tokenDigest) : undefined;
    const revokedOwner = tokenDigest && !owner ? revokedTokens.get(tokenDigest) : undefined;
    const tokenParty = owner ? partyOf(owner) : revokedOwner;
    /** Refuses and audits, attributed to `party` (by default whoever the token belongs to). */
    const deny = (status: number, rule: string, reason: string, party = tokenParty ?? target) => {
      const about = target ?? party;
      audit(false, {
        runtime_id: party?.runtimeId ?? "",
        host: about?.host ?? "",
        port: about?.port ?? 0,
        rule,
        reason,
        binding: about?.prefix,
      });
      refuse(status, reason);
    };
    if (!binding) {
      if (target) return deny(403, "deny:revoked", "gateway access for this binding was revoked");
      if (tokenParty) return deny(404, "deny:unknown-binding", "no such binding");
      return refuse(404, "no such binding");
    }
    if (!presented) return deny(401, "deny:missing-token", "missing gateway token", target);
    if (revokedOwner) return deny(403, "deny:revoked-token", "this gateway token was revoked");
    if (!owner) return deny(403, "deny:invalid-token", "unknown gateway token", target);
    if (owner !== binding) {
      // Token laundering: a token is only good for the one binding it was issued for.
      return deny(
        403,
        "deny:wrong-binding",
        `token of binding ${owner.prefix} presented to binding ${binding.prefix}`,
      );
    }
    const upstreamUrl = new URL(binding.upstream);
    // A path that climbs out of the endpoint's base path never gets the secret.
    const resolved = upstreamPath(upstreamUrl.pathname, requested!.path);
    if ("error" in resolved) return deny(resolved.status, resolved.rule, resolved.error);
    let headers: string[];
    try {
      headers = upstreamHeaders(req, binding);
    } catch (error) {
      if (!(error instanceof InvalidHeaderError)) throw error;
      return refuse(400, error.message);
    }
    const { runtimeId, prefix, host, port } = partyOf(binding);
    audit(true, {
      runtime_id: runtimeId,
      host,
      port,
      rule: `binding:${prefix}`,
      reason: "credential injected",
      binding: prefix,
    });
    const https = upstreamUrl.protocol === "https:";
    const upstreamReq = (https ? httpsRequest : httpRequest)({
      protocol: upstreamUrl.protocol,
      hostname: upstreamUrl.hostname.replace(/^\[|\]$/g, ""),
      port: portOf(upstreamUrl),
      servername: https && !parseIpLiteral(upstreamUrl.hostname) ? upstreamUrl.hostname : undefined,
      method: req.method,
      path: `${resolved.path}${requested!.query}`,
      headers,
      setHost: false,
      agent: https ? httpsAgent : httpAgent,
    });
    upstreamReq.on("response", (upstreamRes) => relayResponse(upstreamRes, res, binding, refuse));
    upstreamReq.on("error", (error: NodeJS.ErrnoException) => {
      const tls = TLS_ERRORS.test(error.code ?? "") || TLS_ERRORS.test(error.message);
      log.warn(
        { runtime_id: binding.runtimeId, binding: binding.prefix, code: error.code },
        "upstream request failed",
      );
      refuse(502, tls ? "upstream TLS verification failed" : "upstream unreachable");
    });
    res.once("close", () => upstreamReq.destroy());
    req.pipe(upstreamReq);
  }

  function relayResponse(
    upstreamRes: IncomingMessage,
    res: ServerResponse,
    binding: Binding,
    refuse: (status: number, reason: string) => void,
  ) {
    const encoding = (upstreamRes.headers["content-encoding"] ?? "identity").toLowerCase().trim();
    const decoder = decoderFor(encoding);
    if (decoder === null) {
      upstreamRes.destroy();
      return refuse(
        502,
        `upstream used content-encoding "${encoding.slice(0, 32)}", which cannot be scrubbed`,
      );
    }
    let headers: string[];
    try {
      headers = forwardableHeaders(upstreamRes.rawHeaders, ["content-length", "content-encoding"]);
    } catch {
      upstreamRes.destroy();
      return refuse(502, "upstream sent an invalid header");
    }
    for (let i = 1; i < headers.length; i += 2) headers[i] = scrubText(headers[i]!, binding.needles);
    res.writeHead(upstreamRes.statusCode ?? 502, headers);
    res.flushHeaders();
    const stages: Array<NodeJS.ReadableStream | NodeJS.WritableStream | Transform> = [upstreamRes];
    if (decoder) stages.push(decoder);
    stages.push(createSecretScrubber(binding.needles), res);
    pipeline(stages as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream], (error) => {
      if (error) res.destroy();
    });
  }

  function upstreamHeaders(req: IncomingMessage, binding: Binding): string[] {
    const mechanism = binding.gateway.authMechanism;
    const type = mechanism?.type ?? AuthMechanismType.BEARER;
    const tokenHeader = type === AuthMechanismType.HEADER ? mechanism!.key : "authorization";
    const custom = Object.entries(binding.gateway.customHeaders);
    // The agent cannot pick the upstream encoding: the scrubber has to read the body.
    const headers = forwardableHeaders(req.rawHeaders, [
      tokenHeader,
      "accept-encoding",
      ...custom.map(([n]) => n),
    ]);
    for (const [name, value] of custom) headers.push(name, value);
    headers.push("Host", binding.upstream.host, "Accept-Encoding", "identity");
    if (type === AuthMechanismType.HEADER) headers.push(mechanism!.key, binding.secret);
    else if (type === AuthMechanismType.BASIC) {
      headers.push(
        "Authorization",
        `Basic ${Buffer.from(`${mechanism!.key}:${binding.secret}`).toString("base64")}`,
      );
    } else headers.push("Authorization", `Bearer ${binding.secret}`);
    return headers;
  }

  const server = createServer({ requireHostHeader: false, insecureHTTPParser: false });
  server.on("request", (req, res) => {
    handle(req, res).catch((error) => {
      log.error({ err: String(error) }, "credential gateway request failed");
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  server.on("clientError", (_error, socket) => {
    if (socket.writable)
      socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    else socket.destroy();
  });
  const bound: BoundListeners = await listenHttp(server, options);

  return {
    host: bound.host,
    port: bound.port,
    unixSocketPath: bound.unixSocketPath,
    registerBinding(registration) {
      const { runtimeId, prefix, gateway, secret } = registration;
      const prefixError = bindingPrefixError(prefix);
      if (prefixError) throw new Error(prefixError);
      if (secret.length < MIN_SECRET_LENGTH) {
        throw new Error(
          `the secret bound as ${prefix} is too short to scrub safely (minimum ${MIN_SECRET_LENGTH})`,
        );
      }
      const upstream = parseEndpoint(gateway.endpoint);
      const mechanism = gateway.authMechanism;
      if (
        (mechanism?.type === AuthMechanismType.HEADER || mechanism?.type === AuthMechanismType.BASIC) &&
        !mechanism.key
      ) {
        throw new Error(`gateway ${gateway.name}: the auth mechanism needs a key (header name or user name)`);
      }
      for (const existing of bindings.values()) {
        if (existing.runtimeId === runtimeId && existing.prefix === prefix) removeBinding(existing);
      }
      const token = `gws_${Buffer.from(rng.bytes(32)).toString("base64url")}`;
      const binding: Binding = {
        id: newId("gwb", clock, rng),
        runtimeId,
        prefix,
        gateway,
        upstream,
        secret,
        tokenDigest: digest(token),
        needles: secretForms(secret, mechanism?.type === AuthMechanismType.BASIC ? mechanism.key : undefined),
      };
      bindings.set(binding.id, binding);
      byToken.set(binding.tokenDigest, binding);
      const path = `/b/${binding.id}`;
      return {
        bindingId: binding.id,
        prefix,
        token,
        path,
        url: (hostPort = `${bound.host}:${bound.port}`) => `http://${hostPort}${path}`,
      };
    },
    revokeRuntime(runtimeId) {
      for (const binding of [...bindings.values()])
        if (binding.runtimeId === runtimeId) removeBinding(binding);
      if (!options.auditLimiter) limiter?.forget(runtimeId);
    },
    listeners() {
      const address = parseIpLiteral(bound.host);
      return address ? [{ address, port: bound.port }] : [];
    },
    async close() {
      httpsAgent.destroy();
      httpAgent.destroy();
      await bound.close();
      if (!options.auditLimiter) limiter?.close();
    },
  };
}

/** Where this binding's mechanism says the agent puts its token. */
function presentedToken(req: IncomingMessage, binding: Binding): string | undefined {
  const mechanism = binding.gateway.authMechanism;
  const type = mechanism?.type ?? AuthMechanismType.BEARER;
  if (type === AuthMechanismType.HEADER) return headerValue(req, mechanism!.key);
  return fromAuthorization(headerValue(req, "authorization"), type === AuthMechanismType.BASIC);
}

/** For attributing a request to an unknown binding: a token in any of the usual places. */
function anyToken(req: IncomingMessage): string | undefined {
  const auth = headerValue(req, "authorization");
  return fromAuthorization(auth, false) ?? fromAuthorization(auth, true) ?? headerValue(req, "x-api-key");
}

function fromAuthorization(value: string | undefined, basic: boolean): string | undefined {
  if (!value) return undefined;
  if (!basic) return /^bearer +(\S+) *$/i.exec(value)?.[1];
  const encoded = /^basic +([A-Za-z0-9+/=]+) *$/i.exec(value)?.[1];
  if (!encoded) return undefined;
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function digest(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
}

function parseEndpoint(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error("the gateway endpoint is not a URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Error(`gateway endpoint "${endpoint}" must be http(s)`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new Error(`gateway endpoint "${url.origin}" must not carry credentials, a query or a fragment`);
  }
  return url;
}

/** undefined: nothing to decode; null: an encoding the scrubber cannot see through. */
function decoderFor(encoding: string): Transform | undefined | null {
  switch (encoding) {
    case "identity":
    case "":
      return undefined;
    case "gzip":
    case "x-gzip":
      return createGunzip();
    case "deflate":
      return createInflate();
    case "br":
      return createBrotliDecompress();
    default:
      return null;
  }
}
