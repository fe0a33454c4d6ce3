import { formatHostnamePattern } from "../egress/hostname.js";
import { formatCidr } from "../egress/ip-address.js";
import { compileEgressPolicy, type EgressRules, type PortRangeRule } from "../egress/policy.js";
import { descriptionProblems, nameProblems } from "./names.js";

export const MAX_HOSTNAME_RULES = 1000;
export const MAX_CIDR_RULES = 1000;

export interface CreateNetworkPolicyInput {
  readonly name: string;
  readonly description?: string;
  /** Unset: an empty policy (nothing allowed but what a CIDR rule would open: nothing). */
  readonly egress?: EgressRules;
}

export interface UpdateNetworkPolicyInput {
  /** Unset fields are left unchanged. */
  readonly name?: string;
  readonly description?: string;
  /** Replaces the whole egress section when set. */
  readonly egress?: EgressRules;
}

export const EMPTY_EGRESS: EgressRules = {
  allowAll: false,
  allowedHostnames: [],
  allowedCidrs: [],
  allowAgentGateway: false,
};

/**
 * Validates egress rules (every problem at once) and returns them in canonical form: host names
 * lowercased, without trailing dot, in punycode, wildcards as `*.suffix`; CIDRs in canonical
 * notation; duplicates dropped. A port range with `end` 0 means the single port `start`.
 * Canonical rules are what is stored and returned, so what a client reads back is what the proxy
 * enforces.
 */
export function normalizeEgress(rules: EgressRules): EgressRules | { problems: string[] } {
  const problems: string[] = [];
  if (rules.allowedHostnames.length > MAX_HOSTNAME_RULES) {
    problems.push(
      `egress.allowed_hostnames has ${rules.allowedHostnames.length} entries; the limit is ${MAX_HOSTNAME_RULES}`,
    );
  }
  if (rules.allowedCidrs.length > MAX_CIDR_RULES) {
    problems.push(
      `egress.allowed_cidrs has ${rules.allowedCidrs.length} entries; the limit is ${MAX_CIDR_RULES}`,
    );
  }
  if (problems.length > 0) return { problems };
  const compiled = compileEgressPolicy({
    allowAll: rules.allowAll,
    allowAgentGateway: rules.allowAgentGateway,
    allowedHostnames: rules.allowedHostnames,
    allowedCidrs: rules.allowedCidrs.map((rule) => ({
      cidr: rule.cidr,
      ports: rule.ports.map(singlePortShorthand),
    })),
  });
  if ("errors" in compiled) return { problems: compiled.errors.map((error) => `egress.${error}`) };
  const hostnames = unique(compiled.hostnames.map(formatHostnamePattern));
  const cidrs = new Map<string, { cidr: string; ports: PortRangeRule[] }>();
  for (const rule of compiled.cidrs) {
    const cidr = formatCidr(rule.cidr);
    const ports = rule.ports.map((r) => ({ start: r.start, end: r.end }));
    const key = `${cidr} ${ports.map((r) => `${r.start}-${r.end}`).join(",")}`;
    if (!cidrs.has(key)) cidrs.set(key, { cidr, ports });
  }
  return {
    allowAll: compiled.allowAll,
    allowedHostnames: hostnames,
    allowedCidrs: [...cidrs.values()],
    allowAgentGateway: compiled.allowAgentGateway,
  };
}

export function createNetworkPolicyProblems(input: CreateNetworkPolicyInput): string[] {
  return [...nameProblems(input.name), ...descriptionProblems(input.description ?? "")];
}

export function updateNetworkPolicyProblems(input: UpdateNetworkPolicyInput): string[] {
  return [
    ...(input.name === undefined ? [] : nameProblems(input.name)),
    ...(input.description === undefined ? [] : descriptionProblems(input.description)),
  ];
}

function singlePortShorthand(range: PortRangeRule): PortRangeRule {
  return range.end === 0 && range.start > 0 ? { start: range.start, end: range.start } : range;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
