import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { pipeline, type Transform } from "node:stream";
import { rootCertificates } from "node:tls";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import { AuthMechanismType } from "@openaxon/protocol";
import { parseIpLiteral } from "../egress/ip-address.js";
import { forwardableHeaders } from "../http-headers.js";
import type { GatewayLogger } from "../logger.js";
import { type Binding, portOf } from "./binding.js";
import { createSecretScrubber, scrubText } from "./secret-scrubber.js";

/** Answers the agent with an error status (or resets, once headers went out). */
export type GatewayRefuse = (status: number, reason: string) => void;

const TLS_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO|TLS|SSL|HOSTNAME|ALTNAME/i;

/** Keep-alive agents for upstream calls; TLS is always verified, optionally against extra CAs. */
export class UpstreamAgents {
  readonly https: HttpsAgent;
  readonly http = new HttpAgent({ keepAlive: true });

  constructor(extraCaCertificates: readonly string[] | undefined) {
    const ca = extraCaCertificates?.length ? [...rootCertificates, ...extraCaCertificates] : undefined;
    this.https = new HttpsAgent({ keepAlive: true, ca });
  }

  destroy(): void {
    this.https.destroy();
    this.http.destroy();
  }
}

/**
 * The agent's headers with its token replaced by the real secret, the endpoint's custom headers
 * added, and the encoding pinned to identity. Throws InvalidHeaderError on a bad agent header.
 */
export function upstreamHeaders(rawHeaders: readonly string[], binding: Binding): string[] {
  const mechanism = binding.gateway.authMechanism;
  const type = mechanism?.type ?? AuthMechanismType.BEARER;
  const tokenHeader = type === AuthMechanismType.HEADER ? mechanism!.key : "authorization";
  const custom = Object.entries(binding.gateway.customHeaders);
  // The agent cannot pick the upstream encoding: the scrubber has to read the body.
  const headers = forwardableHeaders(rawHeaders, [tokenHeader, "accept-encoding", ...custom.map(([n]) => n)]);
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

/** Sends the request to the binding's endpoint and streams the scrubbed response back. */
export function forwardToUpstream(
  req: IncomingMessage,
  res: ServerResponse,
  target: { readonly binding: Binding; readonly path: string; readonly headers: string[] },
  agents: UpstreamAgents,
  log: GatewayLogger,
  refuse: GatewayRefuse,
): void {
  const { binding } = target;
  const upstreamUrl = binding.upstream;
  const https = upstreamUrl.protocol === "https:";
  const upstreamReq = (https ? httpsRequest : httpRequest)({
    protocol: upstreamUrl.protocol,
    hostname: upstreamUrl.hostname.replace(/^\[|\]$/g, ""),
    port: portOf(upstreamUrl),
    servername: https && !parseIpLiteral(upstreamUrl.hostname) ? upstreamUrl.hostname : undefined,
    method: req.method,
    path: target.path,
    headers: target.headers,
    setHost: false,
    agent: https ? agents.https : agents.http,
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

/** Streams the upstream response unbuffered, every form of the secret scrubbed from headers and body. */
function relayResponse(
  upstreamRes: IncomingMessage,
  res: ServerResponse,
  binding: Binding,
  refuse: GatewayRefuse,
) {
  const encoding = (upstreamRes.headers["content-encoding"] ?? "identity").toLowerCase().trim();
  const decoder = decoderFor(encoding);
  if (decoder === null) {
    upstreamRes.destroy();
    return refuse(502, `upstream used content-encoding "${encoding.slice(0, 32)}", which cannot be scrubbed`);
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
