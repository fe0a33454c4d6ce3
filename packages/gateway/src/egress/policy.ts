import { type AddressCategory, classifyAddress } from "./address-classification.js";
import {
  formatHostnamePattern,
  type HostnamePattern,
  hostnameMatches,
  type NormalizedHost,
  parseHostnamePattern,
} from "./hostname.js";
import { type Cidr, cidrContains, formatCidr, type IpAddress, parseCidr, sameIp } from "./ip-address.js";

/** An inclusive port range. */
export interface PortRangeRule {
  readonly start: number;
  readonly end: number;
}

export interface CidrRuleInput {
  readonly cidr: string;
  /** All ports when empty. */
  readonly ports: readonly PortRangeRule[];
}

/**
 * A runtime's egress rules, shaped like the `openaxon.v1.Egress` message so a decoded proto can be
 * passed as is.
 */
export interface EgressRules {
  readonly allowAll: boolean;
  readonly allowedHostnames: readonly string[];
  readonly allowedCidrs: readonly CidrRuleInput[];
  readonly allowAgentGateway: boolean;
}

/** Validated, parsed rules; build with `compileEgressPolicy`. */
export interface CompiledEgressPolicy {
  readonly allowAll: boolean;
  readonly hostnames: readonly HostnamePattern[];
  readonly cidrs: ReadonlyArray<{ readonly cidr: Cidr; readonly ports: readonly PortRangeRule[] }>;
  readonly allowAgentGateway: boolean;
}

/** A local listener (the proxy's own, the credential gateway's). */
export interface Listener {
  readonly address: IpAddress;
  readonly port: number;
}

export interface EgressRequest {
  /** The host the agent asked for. */
  readonly host: NormalizedHost;
  readonly port: number;
  /** The address that will be dialled: the literal, or one answer of the single DNS lookup. */
  readonly address: IpAddress;
}

export interface DecisionContext {
  readonly hostAddresses?: readonly IpAddress[];
  /** The egress proxy's own listeners: a request to them would loop through the proxy. */
  readonly proxyListeners?: readonly Listener[];
  /** The credential gateway's listeners: reachable when the policy allows the agent gateway. */
  readonly agentGatewayListeners?: readonly Listener[];
}

export interface EgressDecision {
  readonly allowed: boolean;
  /** Which rule decided, e.g. "hostname:*.github.com", "cidr:10.0.0.0/8", "deny:private". */
  readonly rule: string;
  /** One human sentence; never contains a secret. */
  readonly reason: string;
  readonly category: AddressCategory;
  /** The canonical address the decision is about. */
  readonly address: string;
}

/** Validates and parses rules; returns every problem at once so an API can report them all. */
export function compileEgressPolicy(rules: EgressRules): CompiledEgressPolicy | { errors: string[] } {
  const errors: string[] = [];
  const hostnames: HostnamePattern[] = [];
  for (const entry of rules.allowedHostnames) {
    const pattern = parseHostnamePattern(entry);
    if ("error" in pattern) errors.push(`allowed_hostnames: ${pattern.error}`);
    else hostnames.push(pattern);
  }
  const cidrs: Array<{ cidr: Cidr; ports: PortRangeRule[] }> = [];
  for (const rule of rules.allowedCidrs) {
    const parsed = parseCidr(rule.cidr);
    if ("error" in parsed) {
      errors.push(`allowed_cidrs: ${parsed.error}`);
      continue;
    }
    const ports: PortRangeRule[] = [];
    for (const range of rule.ports) {
      const ok =
        Number.isInteger(range.start) &&
        Number.isInteger(range.end) &&
        range.start >= 1 &&
        range.start <= range.end &&
        range.end <= 65535;
      if (ok) ports.push({ start: range.start, end: range.end });
      else
        errors.push(
          `allowed_cidrs: ${rule.cidr}: port range ${range.start}-${range.end} is not within 1-65535`,
        );
    }
    cidrs.push({ cidr: parsed, ports });
  }
  if (errors.length > 0) return { errors };
  return { allowAll: rules.allowAll, hostnames, cidrs, allowAgentGateway: rules.allowAgentGateway };
}

/** Like compileEgressPolicy, but throws one error listing every problem. */
export function compileEgressPolicyOrThrow(rules: EgressRules): CompiledEgressPolicy {
  const compiled = compileEgressPolicy(rules);
  if ("errors" in compiled) throw new Error(`invalid network policy: ${compiled.errors.join("; ")}`);
  return compiled;
}

/**
 * Decides whether one resolved address may be dialled.
 *
 * - No policy (`undefined`): public addresses on any port; everything else denied.
 * - A request to the proxy's own listener is always denied (it would loop).
 * - The credential gateway's listener: allowed without a policy or with `allow_agent_gateway`.
 * - Cloud metadata: only a CIDR rule naming exactly that address (/32, /128) opens it.
 * - Private, loopback, link-local, CGNAT, multicast, unspecified, broadcast, reserved and this
 *   host's own addresses: only a CIDR rule covering the address (and port) opens them —
 *   not `allow_all`, not a host name rule.
 * - Public addresses: `allow_all`, a matching host name rule, or a covering CIDR rule.
 */
export function decideEgress(
  request: EgressRequest,
  policy: CompiledEgressPolicy | undefined,
  context: DecisionContext = {},
): EgressDecision {
  const classification = classifyAddress(request.address, { hostAddresses: context.hostAddresses });
  const { category, address } = classification;
  const port = request.port;
  const decision = (allowed: boolean, rule: string, reason: string): EgressDecision => ({
    allowed,
    rule,
    reason,
    category,
    address,
  });
  const local = category === "loopback" || category === "unspecified" || category === "host";
  const hits = (listeners: readonly Listener[] | undefined) =>
    (listeners ?? []).some(
      (l) =>
        l.port === port &&
        (local || sameIp(l.address, request.address) || sameIp(l.address, classification.effective)),
    );

  if (hits(context.proxyListeners)) {
    return decision(false, "deny:recursive-proxy", `${address}:${port} is the egress proxy itself`);
  }
  if (hits(context.agentGatewayListeners)) {
    return !policy || policy.allowAgentGateway
      ? decision(true, "agent-gateway", "the credential gateway is allowed")
      : decision(false, "deny:agent-gateway", "the policy does not allow the agent gateway");
  }

  const addresses = [request.address, classification.effective];
  const cidrRule = policy?.cidrs.find(
    (rule) =>
      addresses.some((a) => cidrContains(rule.cidr, a)) &&
      (rule.ports.length === 0 || rule.ports.some((r) => port >= r.start && port <= r.end)),
  );

  if (category === "cloud-metadata") {
    const exact = cidrRule && cidrRule.cidr.prefix === (cidrRule.cidr.address.version === 4 ? 32 : 128);
    return exact
      ? decision(true, `cidr:${formatCidr(cidrRule.cidr)}`, "cloud metadata address named by a CIDR rule")
      : decision(false, "deny:cloud-metadata", `${address} is a cloud metadata address`);
  }
  if (category !== "public") {
    return cidrRule
      ? decision(true, `cidr:${formatCidr(cidrRule.cidr)}`, `${category} address allowed by a CIDR rule`)
      : decision(false, `deny:${category}`, `${category} address ${address} needs a CIDR rule`);
  }
  if (!policy) return decision(true, "default:public", "public address (no network policy)");
  if (policy.allowAll) return decision(true, "allow_all", "public address (policy allows all)");
  if (request.host.kind === "name") {
    const name = request.host.name;
    const pattern = policy.hostnames.find((p) => hostnameMatches(p, name));
    if (pattern)
      return decision(true, `hostname:${formatHostnamePattern(pattern)}`, "host name allowed by policy");
  }
  if (cidrRule) return decision(true, `cidr:${formatCidr(cidrRule.cidr)}`, "address allowed by a CIDR rule");
  return decision(
    false,
    "deny:not-in-policy",
    `${hostText(request.host)}:${port} is not allowed by the network policy`,
  );
}

function hostText(host: NormalizedHost): string {
  return host.kind === "name" ? host.name : host.text;
}
