import { createHash, timingSafeEqual } from "node:crypto";

/**
 * What a key may do. `read`: axons and their events. `publish`: create axons and publish USER and
 * EXTERNAL events. `agent`: publish AGENT and SYSTEM events (what brokers write; otherwise anyone
 * could forge `turn.completed`). `admin`: delete axons; secrets, network policies, gateway configs
 * and runtimes. Scopes do not imply one another.
 */
export const SCOPES = ["read", "publish", "agent", "admin"] as const;
export type Scope = (typeof SCOPES)[number];

/** An API key and its scopes. A key given as a plain string has every scope. */
export interface ApiKeyGrant {
  readonly key: string;
  readonly scopes: readonly Scope[];
}

export type ApiKeyConfig = string | ApiKeyGrant;

/** Who is calling: the scopes of the key presented, or all scopes when the server needs no key. */
export interface Principal {
  readonly scopes: ReadonlySet<Scope>;
  /** False when the server runs keyless (loopback only). */
  readonly authenticated: boolean;
}

export const ANONYMOUS_LOOPBACK: Principal = { scopes: new Set(SCOPES), authenticated: false };

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

export function toGrant(config: ApiKeyConfig): ApiKeyGrant {
  return typeof config === "string" ? { key: config, scopes: SCOPES } : config;
}

export type Authentication =
  | { readonly kind: "ok"; readonly principal: Principal }
  | { readonly kind: "refused"; readonly message: string };

/**
 * Checks an `Authorization` header against the configured keys. Keys are compared as SHA-256
 * digests with timingSafeEqual, every key every time, so neither length nor content nor position
 * leaks through timing. Messages never echo the presented key.
 */
export function createAuthenticator(
  keys: readonly ApiKeyConfig[],
): (header: string | undefined) => Authentication {
  const grants = keys.map(toGrant);
  if (grants.length === 0) return () => ({ kind: "ok", principal: ANONYMOUS_LOOPBACK });
  const digests = grants.map((grant) => ({
    digest: sha256(grant.key),
    principal: { scopes: new Set(grant.scopes), authenticated: true } satisfies Principal,
  }));
  return (header) => {
    if (!header) {
      return {
        kind: "refused",
        message: 'missing API key: this server requires the header "Authorization: Bearer <api key>"',
      };
    }
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (!match) {
      return {
        kind: "refused",
        message: 'malformed Authorization header: expected "Authorization: Bearer <api key>"',
      };
    }
    const presented = sha256(match[1]!);
    let found: Principal | undefined;
    for (const { digest, principal } of digests) {
      if (timingSafeEqual(digest, presented) && found === undefined) found = principal;
    }
    if (found === undefined) {
      return {
        kind: "refused",
        message: "API key not accepted: check that it matches one of the keys configured on the server",
      };
    }
    return { kind: "ok", principal: found };
  };
}

const sha256 = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();
