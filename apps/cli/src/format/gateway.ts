import type { GatewayConfig, NetworkPolicy, Secret } from "@openaxon/client";
import type { Colors } from "./colors.js";
import { formatDetails, formatTable } from "./table.js";
import { formatDateTime } from "./time.js";

export function formatSecretTable(secrets: readonly Secret[], colors: Colors): string[] {
  return formatTable(
    ["ID", "NAME", "CREATED"],
    secrets.map((secret) => [secret.id, secret.name, formatDateTime(secret.createdAtMs)]),
    colors,
  );
}

/** `10.0.0.0/8:443,8000-8080`, the form `--allow-cidr` takes. */
export function formatCidrRule(rule: NetworkPolicy["egress"]["allowedCidrs"][number]): string {
  if (rule.ports.length === 0) return rule.cidr;
  const ports = rule.ports.map((range) =>
    range.start === range.end ? `${range.start}` : `${range.start}-${range.end}`,
  );
  return `${rule.cidr}:${ports.join(",")}`;
}

/** One-line summary of what a policy allows. */
export function formatEgressSummary(egress: NetworkPolicy["egress"]): string {
  const parts = [
    ...(egress.allowAll ? ["all public"] : []),
    ...egress.allowedHostnames,
    ...egress.allowedCidrs.map(formatCidrRule),
    ...(egress.allowAgentGateway ? ["agent gateway"] : []),
  ];
  return parts.length > 0 ? parts.join(", ") : "nothing";
}

export function formatPolicyTable(policies: readonly NetworkPolicy[], colors: Colors): string[] {
  return formatTable(
    ["ID", "NAME", "ALLOWS", "DESCRIPTION"],
    policies.map((policy) => [
      policy.id,
      policy.name,
      formatEgressSummary(policy.egress),
      policy.description,
    ]),
    colors,
  );
}

export function formatPolicyDetails(policy: NetworkPolicy, colors: Colors): string[] {
  const none = colors.dim("(none)");
  const { egress } = policy;
  return formatDetails(
    [
      ["id", colors.bold(policy.id)],
      ["name", policy.name],
      ["description", policy.description || none],
      ["allow all", egress.allowAll ? "yes (public addresses, any port)" : "no"],
      ["hosts", egress.allowedHostnames.join(", ") || none],
      ["cidrs", egress.allowedCidrs.map(formatCidrRule).join(", ") || none],
      ["gateway", egress.allowAgentGateway ? "agent may reach its gateway bindings" : "no"],
      ["created", formatDateTime(policy.createdAtMs)],
      ["updated", formatDateTime(policy.updatedAtMs)],
    ],
    colors,
  );
}

/** `header:x-api-key`, `bearer`, `basic:bot`: the form `--auth` takes. */
export function formatAuth(auth: GatewayConfig["auth"]): string {
  return auth.type === "bearer" ? "bearer" : `${auth.type}:${auth.key}`;
}

export function formatGatewayTable(configs: readonly GatewayConfig[], colors: Colors): string[] {
  return formatTable(
    ["ID", "NAME", "ENDPOINT", "AUTH"],
    configs.map((config) => [config.id, config.name, config.endpoint, formatAuth(config.auth)]),
    colors,
  );
}

export function formatGatewayDetails(config: GatewayConfig, colors: Colors): string[] {
  const none = colors.dim("(none)");
  return formatDetails(
    [
      ["id", colors.bold(config.id)],
      ["name", config.name],
      ["endpoint", config.endpoint],
      ["auth", formatAuth(config.auth)],
      [
        "headers",
        Object.entries(config.customHeaders)
          .map(([key, value]) => `${key}: ${value}`)
          .join(", ") || none,
      ],
      ["description", config.description || none],
      ["created", formatDateTime(config.createdAtMs)],
    ],
    colors,
  );
}
