import type { Client } from "@connectrpc/connect";
import type { GatewayConfigService, NetworkPolicyService, SecretService } from "@openaxon/protocol";
import {
  authTypeToWire,
  egressToWire,
  toGatewayConfig,
  toNetworkPolicy,
  toSecret,
} from "./gateway-convert.js";
import type {
  CreateGatewayConfigInput,
  CreateNetworkPolicyInput,
  CreateSecretInput,
  GatewayConfig,
  NetworkPolicy,
  Secret,
  UpdateNetworkPolicyInput,
} from "./gateway-types.js";
import type { CallOptions } from "./types.js";

/**
 * `client.secrets`. The value goes in through `create` and never comes back: no method returns
 * it, and the server never includes it in an error.
 */
export interface Secrets {
  create(input: CreateSecretInput, options?: CallOptions): Promise<Secret>;
  list(options?: CallOptions): Promise<Secret[]>;
  /** By id ("sec_…") or name. FAILED_PRECONDITION while a runtime uses it. */
  delete(idOrName: string, options?: CallOptions): Promise<void>;
}

/** `client.networkPolicies`. Every id argument also accepts the policy's name. */
export interface NetworkPolicies {
  create(input: CreateNetworkPolicyInput, options?: CallOptions): Promise<NetworkPolicy>;
  get(idOrName: string, options?: CallOptions): Promise<NetworkPolicy>;
  list(options?: CallOptions): Promise<NetworkPolicy[]>;
  /** Running runtimes that use the policy apply the change from their next connection on. */
  update(idOrName: string, input: UpdateNetworkPolicyInput, options?: CallOptions): Promise<NetworkPolicy>;
  delete(idOrName: string, options?: CallOptions): Promise<void>;
}

/** `client.gatewayConfigs`. Every id argument also accepts the config's name. */
export interface GatewayConfigs {
  create(input: CreateGatewayConfigInput, options?: CallOptions): Promise<GatewayConfig>;
  get(idOrName: string, options?: CallOptions): Promise<GatewayConfig>;
  list(options?: CallOptions): Promise<GatewayConfig[]>;
  delete(idOrName: string, options?: CallOptions): Promise<void>;
}

export function createSecrets(rpc: Client<typeof SecretService>): Secrets {
  return {
    async create(input, options) {
      return toSecret((await rpc.createSecret({ name: input.name, value: input.value }, options)).secret);
    },
    async list(options) {
      return (await rpc.listSecrets({}, options)).secrets.map(toSecret);
    },
    async delete(id, options) {
      await rpc.deleteSecret({ id }, options);
    },
  };
}

export function createNetworkPolicies(rpc: Client<typeof NetworkPolicyService>): NetworkPolicies {
  return {
    async create(input, options) {
      const response = await rpc.createNetworkPolicy(
        {
          name: input.name,
          description: input.description ?? "",
          ...(input.egress && { egress: egressToWire(input.egress) }),
        },
        options,
      );
      return toNetworkPolicy(response.policy);
    },
    async get(id, options) {
      return toNetworkPolicy((await rpc.getNetworkPolicy({ id }, options)).policy);
    },
    async list(options) {
      return (await rpc.listNetworkPolicies({}, options)).policies.map(toNetworkPolicy);
    },
    async update(id, input, options) {
      const response = await rpc.updateNetworkPolicy(
        {
          id,
          ...(input.name !== undefined && { name: input.name }),
          ...(input.description !== undefined && { description: input.description }),
          ...(input.egress && { egress: egressToWire(input.egress) }),
        },
        options,
      );
      return toNetworkPolicy(response.policy);
    },
    async delete(id, options) {
      await rpc.deleteNetworkPolicy({ id }, options);
    },
  };
}

export function createGatewayConfigs(rpc: Client<typeof GatewayConfigService>): GatewayConfigs {
  return {
    async create(input, options) {
      const response = await rpc.createGatewayConfig(
        {
          name: input.name,
          endpoint: input.endpoint,
          authMechanism: { type: authTypeToWire(input.auth.type), key: input.auth.key ?? "" },
          customHeaders: { ...input.customHeaders },
          description: input.description ?? "",
        },
        options,
      );
      return toGatewayConfig(response.gatewayConfig);
    },
    async get(id, options) {
      return toGatewayConfig((await rpc.getGatewayConfig({ id }, options)).gatewayConfig);
    },
    async list(options) {
      return (await rpc.listGatewayConfigs({}, options)).gatewayConfigs.map(toGatewayConfig);
    },
    async delete(id, options) {
      await rpc.deleteGatewayConfig({ id }, options);
    },
  };
}
