import { createHash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { AuthMechanismType } from "@openaxon/protocol";
import type { GatewayEndpoint } from "./binding.js";

/** Where the endpoint's auth mechanism says the agent puts its token. */
export function presentedToken(headers: IncomingHttpHeaders, gateway: GatewayEndpoint): string | undefined {
  const mechanism = gateway.authMechanism;
  const type = mechanism?.type ?? AuthMechanismType.BEARER;
  if (type === AuthMechanismType.HEADER) return headerValue(headers, mechanism!.key);
  return fromAuthorization(headerValue(headers, "authorization"), type === AuthMechanismType.BASIC);
}

/** For attributing a request to an unknown binding: a token in any of the usual places. */
export function anyToken(headers: IncomingHttpHeaders): string | undefined {
  const auth = headerValue(headers, "authorization");
  return fromAuthorization(auth, false) ?? fromAuthorization(auth, true) ?? headerValue(headers, "x-api-key");
}

/** Tokens are kept and looked up only as digests. */
export function digestToken(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
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

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
