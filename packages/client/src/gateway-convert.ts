import {
  AuthMechanismType,
  type Egress as EgressMessage,
  type GatewayConfig as GatewayConfigMessage,
  type NetworkPolicy as NetworkPolicyMessage,
  type Secret as SecretMessage,
} from "@openaxon/protocol";
import { toSafeNumber } from "./convert.js";
import type {
  AuthTypeName,
  Egress,
  EgressInput,
  GatewayConfig,
  NetworkPolicy,
  PortRangeInput,
  Secret,
} from "./gateway-types.js";

export function toSecret(message: SecretMessage | undefined): Secret {
  if (!message) throw new TypeError("server response is missing the secret");
  return {
    id: message.id,
    name: message.name,
    createdAtMs: toSafeNumber(message.createdAtMs, "created_at_ms"),
  };
}

function portToWire(port: number | PortRangeInput) {
  return typeof port === "number"
    ? { start: port, end: port }
    : { start: port.start, end: port.end ?? port.start };
}

export function egressToWire(egress: EgressInput) {
  return {
    allowAll: egress.allowAll ?? false,
    allowedHostnames: [...(egress.allowedHostnames ?? [])],
    allowedCidrs: (egress.allowedCidrs ?? []).map((rule) => ({
      cidr: rule.cidr,
      ports: (rule.ports ?? []).map(portToWire),
    })),
    allowAgentGateway: egress.allowAgentGateway ?? false,
  };
}

function toEgress(message: EgressMessage | undefined): Egress {
  return {
    allowAll: message?.allowAll ?? false,
    allowedHostnames: [...(message?.allowedHostnames ?? [])],
    allowedCidrs: (message?.allowedCidrs ?? []).map((rule) => ({
      cidr: rule.cidr,
      ports: rule.ports.map((range) => ({ start: range.start, end: range.end })),
    })),
    allowAgentGateway: message?.allowAgentGateway ?? false,
  };
}

export function toNetworkPolicy(message: NetworkPolicyMessage | undefined): NetworkPolicy {
  if (!message) throw new TypeError("server response is missing the network policy");
  return {
    id: message.id,
    name: message.name,
    description: message.description,
    egress: toEgress(message.egress),
    createdAtMs: toSafeNumber(message.createdAtMs, "created_at_ms"),
    updatedAtMs: toSafeNumber(message.updatedAtMs, "updated_at_ms"),
  };
}

const authTypeValues: Record<AuthTypeName, AuthMechanismType> = {
  header: AuthMechanismType.HEADER,
  bearer: AuthMechanismType.BEARER,
  basic: AuthMechanismType.BASIC,
};

export function authTypeToWire(type: AuthTypeName): AuthMechanismType {
  if (!Object.hasOwn(authTypeValues, type)) {
    throw new TypeError(`auth.type must be header, bearer or basic, got "${type}"`);
  }
  return authTypeValues[type];
}

function authTypeName(type: AuthMechanismType): AuthTypeName {
  const entry = Object.entries(authTypeValues).find(([, value]) => value === type);
  // The server refuses configs without a type, so this fallback is only for a misbehaving server.
  return (entry?.[0] as AuthTypeName | undefined) ?? "header";
}

export function toGatewayConfig(message: GatewayConfigMessage | undefined): GatewayConfig {
  if (!message) throw new TypeError("server response is missing the gateway config");
  return {
    id: message.id,
    name: message.name,
    endpoint: message.endpoint,
    auth: {
      type: authTypeName(message.authMechanism?.type ?? AuthMechanismType.UNSPECIFIED),
      key: message.authMechanism?.key ?? "",
    },
    customHeaders: { ...message.customHeaders },
    description: message.description,
    createdAtMs: toSafeNumber(message.createdAtMs, "created_at_ms"),
  };
}
