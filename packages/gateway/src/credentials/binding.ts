import { type Clock, newId, type Rng } from "@openaxon/core";
import { AuthMechanismType } from "@openaxon/protocol";
import { bindingPrefixError } from "../agent-network-env.js";
import { secretForms } from "./secret-scrubber.js";
import { digestToken } from "./tokens.js";

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

/** One (runtime, prefix) binding as the gateway keeps it: the secret and its token's digest. */
export interface Binding {
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

/** Who a binding belongs to and where it leads: everything an audit event may say. */
export interface Party {
  readonly runtimeId: string;
  readonly prefix: string;
  readonly host: string;
  readonly port: number;
}

export const MIN_BINDING_SECRET_LENGTH = 8;

export function partyOf(binding: Binding): Party {
  return {
    runtimeId: binding.runtimeId,
    prefix: binding.prefix,
    host: binding.upstream.hostname,
    port: portOf(binding.upstream),
  };
}

export function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
}

/** Validates a registration and mints its binding and `gws_…` token. Throws on bad input. */
export function issueBinding(
  registration: BindingRegistration,
  clock: Clock,
  rng: Rng,
): { readonly binding: Binding; readonly token: string } {
  const { runtimeId, prefix, gateway, secret } = registration;
  const prefixError = bindingPrefixError(prefix);
  if (prefixError) throw new Error(prefixError);
  if (secret.length < MIN_BINDING_SECRET_LENGTH) {
    throw new Error(
      `the secret bound as ${prefix} is too short to scrub safely (minimum ${MIN_BINDING_SECRET_LENGTH})`,
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
  const token = `gws_${Buffer.from(rng.bytes(32)).toString("base64url")}`;
  const binding: Binding = {
    id: newId("gwb", clock, rng),
    runtimeId,
    prefix,
    gateway,
    upstream,
    secret,
    tokenDigest: digestToken(token),
    needles: secretForms(secret, mechanism?.type === AuthMechanismType.BASIC ? mechanism.key : undefined),
  };
  return { binding, token };
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
