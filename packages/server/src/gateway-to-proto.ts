import type { GatewayConfigRecord, NetworkPolicyRecord, SecretInfo } from "@openaxon/gateway";
import type { Secret } from "@openaxon/protocol";

type Init<T> = Omit<T, "$typeName">;

/** Only id, name and creation time: a Secret message has no field a value could go into. */
export function secretToProto(secret: SecretInfo): Init<Secret> {
  return { id: secret.id, name: secret.name, createdAtMs: BigInt(secret.createdAtMs) };
}

/** Init shapes for Connect responses (nested messages without $typeName). */
export function networkPolicyToProto(policy: NetworkPolicyRecord) {
  return {
    id: policy.id,
    name: policy.name,
    description: policy.description,
    egress: {
      allowAll: policy.egress.allowAll,
      allowedHostnames: [...policy.egress.allowedHostnames],
      allowedCidrs: policy.egress.allowedCidrs.map((rule) => ({
        cidr: rule.cidr,
        ports: rule.ports.map((range) => ({ start: range.start, end: range.end })),
      })),
      allowAgentGateway: policy.egress.allowAgentGateway,
    },
    createdAtMs: BigInt(policy.createdAtMs),
    updatedAtMs: BigInt(policy.updatedAtMs),
  };
}

export function gatewayConfigToProto(config: GatewayConfigRecord) {
  return {
    id: config.id,
    name: config.name,
    endpoint: config.endpoint,
    authMechanism: { type: config.authMechanism.type, key: config.authMechanism.key },
    customHeaders: { ...config.customHeaders },
    description: config.description,
    createdAtMs: BigInt(config.createdAtMs),
  };
}
