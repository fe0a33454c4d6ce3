import type {
  CidrRuleInput,
  CreateNetworkPolicyInput,
  NetworkPolicy,
  PortRangeInput,
  UpdateNetworkPolicyInput,
} from "@openaxon/client";

/** The network-policy form as typed: the egress rules of gateway.proto, as the inputs hold them. */
export interface PolicyForm {
  readonly name: string;
  readonly description: string;
  /** Any public address on any port. */
  readonly allowAll: boolean;
  /** The agent may reach its credential-gateway bindings. */
  readonly allowAgentGateway: boolean;
  /** One host pattern per line (commas work too): `registry.npmjs.org`, `*.github.com`. */
  readonly hostnames: string;
  /** One rule per line: a CIDR, then optionally its ports: `10.0.0.0/8 443, 8000-8100`. */
  readonly cidrs: string;
}

export const EMPTY_POLICY_FORM: PolicyForm = {
  name: "",
  description: "",
  allowAll: false,
  allowAgentGateway: false,
  hostnames: "",
  cidrs: "",
};

/**
 * The CreateNetworkPolicy request for a filled-in form, or what to fix. Only the form's own syntax
 * (ports, one rule per line) is checked here; names, host patterns and CIDRs are the server's to judge,
 * and its message is shown as it is.
 */
export function policyInputFromForm(form: PolicyForm): CreateNetworkPolicyInput | { readonly error: string } {
  const cidrs = parseCidrRules(form.cidrs);
  if ("error" in cidrs) return cidrs;
  return {
    name: form.name.trim(),
    description: form.description.trim(),
    egress: {
      allowAll: form.allowAll,
      allowedHostnames: splitList(form.hostnames),
      allowedCidrs: cidrs.rules,
      allowAgentGateway: form.allowAgentGateway,
    },
  };
}

/**
 * The UpdateNetworkPolicy request that turns `current` into what the form holds. The egress section is
 * always sent whole (the RPC replaces it); name and description only when they changed, so an unchanged
 * name is not re-checked for uniqueness against the policy itself.
 */
export function policyUpdateFromForm(
  current: NetworkPolicy,
  form: PolicyForm,
): UpdateNetworkPolicyInput | { readonly error: string } {
  const input = policyInputFromForm(form);
  if ("error" in input) return input;
  return {
    ...(input.name !== current.name && { name: input.name }),
    ...(input.description !== current.description && { description: input.description }),
    egress: input.egress!,
  };
}

/** A stored policy as the form shows it, for editing. */
export function policyFormFromPolicy(policy: NetworkPolicy): PolicyForm {
  return {
    name: policy.name,
    description: policy.description,
    allowAll: policy.egress.allowAll,
    allowAgentGateway: policy.egress.allowAgentGateway,
    hostnames: policy.egress.allowedHostnames.join("\n"),
    cidrs: policy.egress.allowedCidrs
      .map((rule) => [rule.cidr, rule.ports.map(formatPortRange).join(", ")].filter(Boolean).join(" "))
      .join("\n"),
  };
}

/** `10.0.0.0/8 443, 8000-8100` per line → CIDR rules; a line without ports allows all ports. */
export function parseCidrRules(
  text: string,
): { readonly rules: CidrRuleInput[] } | { readonly error: string } {
  const rules: CidrRuleInput[] = [];
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "") continue;
    const [cidr, ...rest] = trimmed.split(/\s+/);
    const ports = parsePorts(rest.join(" "));
    if ("error" in ports) return { error: `CIDR rule "${trimmed}": ${ports.error}` };
    rules.push(ports.ports.length > 0 ? { cidr: cidr!, ports: ports.ports } : { cidr: cidr! });
  }
  return { rules };
}

/** `443, 8000-8100` → port ranges. Whether a port is in range is the server's to say. */
export function parsePorts(text: string): { readonly ports: PortRangeInput[] } | { readonly error: string } {
  const ports: PortRangeInput[] = [];
  for (const part of text.split(/[,\s]+/)) {
    if (part === "") continue;
    // Up to five digits: a longer number is no port, and would not fit the wire's uint32 either.
    const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part);
    if (!match) return { error: `"${part}" is not a port or a range like 8000-8100` };
    const start = Number(match[1]);
    ports.push(match[2] === undefined ? { start } : { start, end: Number(match[2]) });
  }
  return { ports };
}

function formatPortRange(range: { readonly start: number; readonly end: number }): string {
  return range.start === range.end ? `${range.start}` : `${range.start}-${range.end}`;
}

function splitList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
}
