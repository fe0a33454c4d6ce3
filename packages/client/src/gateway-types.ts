/** Secrets, network policies and gateway configs as plain objects. */

/** A secret's metadata. There is no value field: the server never returns a secret's value. */
export interface Secret {
  /** Server-assigned, looks like `sec_…`. */
  readonly id: string;
  readonly name: string;
  readonly createdAtMs: number;
}

export interface CreateSecretInput {
  /** Unique; 1-128 of [A-Za-z0-9._-]. */
  readonly name: string;
  /** Write-only: 8 to 16384 printable ASCII characters. */
  readonly value: string;
}

/** An inclusive TCP port range; `end` defaults to `start` (a single port). */
export interface PortRangeInput {
  readonly start: number;
  readonly end?: number;
}

export interface CidrRuleInput {
  /** e.g. "10.0.0.0/8", "fd00::/8", "127.0.0.1/32". */
  readonly cidr: string;
  /** All ports when empty or absent. A number is a single port. */
  readonly ports?: readonly (number | PortRangeInput)[];
}

export interface EgressInput {
  /** Any public address on any port (special ranges still need a CIDR rule). */
  readonly allowAll?: boolean;
  /** Hosts on any port when they resolve to public addresses; "*.github.com" matches subdomains only. */
  readonly allowedHostnames?: readonly string[];
  readonly allowedCidrs?: readonly CidrRuleInput[];
  /** The agent may reach its credential gateway bindings (`$PREFIX_URL`). Needed for `gateways`. */
  readonly allowAgentGateway?: boolean;
}

export interface PortRange {
  readonly start: number;
  readonly end: number;
}

export interface Egress {
  readonly allowAll: boolean;
  readonly allowedHostnames: string[];
  readonly allowedCidrs: { readonly cidr: string; readonly ports: PortRange[] }[];
  readonly allowAgentGateway: boolean;
}

export interface NetworkPolicy {
  /** Server-assigned, looks like `np_…`. */
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** In canonical form (host names lowercased and punycoded, CIDRs normalised). */
  readonly egress: Egress;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

export interface CreateNetworkPolicyInput {
  readonly name: string;
  readonly description?: string;
  /** Absent = nothing allowed. */
  readonly egress?: EgressInput;
}

export interface UpdateNetworkPolicyInput {
  readonly name?: string;
  readonly description?: string;
  /** Replaces the whole egress section when given. */
  readonly egress?: EgressInput;
}

/**
 * Where the upstream expects the credential: `header` puts the secret in the header named `key`
 * (e.g. "x-api-key"), `bearer` sends `Authorization: Bearer <secret>`, `basic` sends
 * `Authorization: Basic base64(key:secret)` with `key` the user name.
 */
export type AuthTypeName = "header" | "bearer" | "basic";

export interface AuthMechanism {
  readonly type: AuthTypeName;
  /** Header name for "header", user name for "basic", "" for "bearer". */
  readonly key: string;
}

export interface GatewayConfig {
  /** Server-assigned, looks like `gwc_…`. */
  readonly id: string;
  readonly name: string;
  /** Base URL of the upstream; the agent's request path is appended to it. */
  readonly endpoint: string;
  readonly auth: AuthMechanism;
  /** Added to every forwarded request. Not secret. */
  readonly customHeaders: Record<string, string>;
  readonly description: string;
  readonly createdAtMs: number;
}

export interface CreateGatewayConfigInput {
  readonly name: string;
  readonly endpoint: string;
  readonly auth: { readonly type: AuthTypeName; readonly key?: string };
  readonly customHeaders?: Readonly<Record<string, string>>;
  readonly description?: string;
}
