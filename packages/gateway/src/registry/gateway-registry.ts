import { type Clock, isId, newId, type Rng, SerialQueue } from "@openaxon/core";
import { bindingPrefixError } from "../agent-network-env.js";
import type { BindingRegistration, GatewayEndpoint } from "../credentials/credential-gateway.js";
import type { EgressRules } from "../egress/policy.js";
import { type GatewayLogger, silentLogger } from "../logger.js";
import {
  type AuthMechanismInput,
  type CreateGatewayConfigInput,
  normalizeGatewayConfigInput,
} from "./gateway-config-input.js";
import { quote } from "./names.js";
import {
  type CreateNetworkPolicyInput,
  createNetworkPolicyProblems,
  EMPTY_EGRESS,
  normalizeEgress,
  type UpdateNetworkPolicyInput,
  updateNetworkPolicyProblems,
} from "./network-policy-input.js";
import type { RecordsPort } from "./records-port.js";
import {
  RegistryAlreadyExistsError,
  RegistryInUseError,
  RegistryNotFoundError,
  RegistryValidationError,
  SecretKeyMismatchError,
} from "./registry-errors.js";
import { RESOURCE_KINDS, type ResourceKind } from "./resource-kinds.js";
import { SECRET_KEY_ENV, SECRET_KEY_FILE, type SecretBox } from "./secret-box.js";
import { type CreateSecretInput, secretInputProblems } from "./secret-input.js";

/** A secret as anyone may see it: never its value. */
export interface SecretInfo {
  readonly id: string;
  readonly name: string;
  readonly createdAtMs: number;
}

export interface NetworkPolicyRecord {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** Canonical rules (see normalizeEgress); pass to the egress proxy as the runtime's policy. */
  readonly egress: EgressRules;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

/** Structurally a `GatewayEndpoint`, so it can be handed to the credential gateway as is. */
export interface GatewayConfigRecord extends GatewayEndpoint {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly endpoint: string;
  readonly authMechanism: AuthMechanismInput;
  readonly customHeaders: Readonly<Record<string, string>>;
  readonly createdAtMs: number;
}

/**
 * The runtimes (ids or names, for the error message) that still use a resource. The runtime
 * layer provides it; deleting a resource with any is refused with RegistryInUseError. It runs
 * inside the registry's write queue, so it must not call the registry's mutating methods.
 */
export type ReferenceCheck = (
  kind: ResourceKind,
  id: string,
) => readonly string[] | Promise<readonly string[]>;

export interface GatewayRegistryOptions {
  readonly records: RecordsPort;
  /** Seals secret values at rest; build it with `new SecretBox(await loadOrCreateKey(…), rng)`. */
  readonly box: SecretBox;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly logger?: GatewayLogger;
  /** Without it nothing counts as in use (fine for tests and a server without runtimes). */
  readonly referencedBy?: ReferenceCheck;
  /**
   * When the key cannot open the stored secrets (the key was lost), delete every stored secret
   * and continue with this key instead of refusing to open. Off by default: a changed key is far
   * more often a configuration mistake than a loss.
   */
  readonly forgetSecretsOnKeyMismatch?: boolean;
}

/** What a runtime's CreateRuntime names: a policy and bindings, each by id or name. */
export interface RuntimeNetworkInput {
  readonly networkPolicy?: string;
  /** Keyed by env-var prefix. */
  readonly gateways?: Readonly<Record<string, { readonly gateway: string; readonly secret: string }>>;
}

export interface ResolvedBinding {
  readonly prefix: string;
  readonly gateway: GatewayConfigRecord;
  readonly secret: SecretInfo;
}

export interface ResolvedRuntimeNetwork {
  readonly networkPolicy?: NetworkPolicyRecord;
  readonly bindings: readonly ResolvedBinding[];
}

interface StoredSecret extends SecretInfo {
  /** `SecretBox.seal(value, id)`. */
  readonly sealed: string;
}

const KEY_CHECK = { kind: "gateway.key", id: "check", context: "openaxon key check" };

/**
 * Secrets, network policies and gateway configs: validated, stored through a records port,
 * looked up by id or name. Secret values are sealed with the SecretBox (the secret's id is the
 * authenticated context) and leave only through `resolveSecretValue` / `openBindings`, which
 * exist for the runtime layer — never wire them to an RPC.
 */
export class GatewayRegistry {
  readonly #records: RecordsPort;
  readonly #box: SecretBox;
  readonly #clock: Clock;
  readonly #rng: Rng;
  readonly #log: GatewayLogger;
  readonly #referencedBy: ReferenceCheck;
  readonly #queue = new SerialQueue();
  readonly #policyListeners = new Set<(policy: NetworkPolicyRecord) => void>();

  private constructor(options: GatewayRegistryOptions) {
    this.#records = options.records;
    this.#box = options.box;
    this.#clock = options.clock;
    this.#rng = options.rng;
    this.#log = options.logger ?? silentLogger;
    this.#referencedBy = options.referencedBy ?? (() => []);
  }

  /**
   * Opens the registry and checks the key against what is stored, so a wrong key fails at startup
   * with SecretKeyMismatchError instead of at the first agent request.
   */
  static async open(options: GatewayRegistryOptions): Promise<GatewayRegistry> {
    const registry = new GatewayRegistry(options);
    await registry.#checkKey(options.forgetSecretsOnKeyMismatch ?? false);
    return registry;
  }

  // ---------------------------------------------------------------------------------------------
  // Secrets

  createSecret(input: CreateSecretInput): Promise<SecretInfo> {
    const problems = secretInputProblems(input);
    if (problems.length > 0) return Promise.reject(new RegistryValidationError(problems));
    return this.#queue.run(async () => {
      await this.#assertNameFree("secret", input.name);
      const id = newId(RESOURCE_KINDS.secret.idPrefix, this.#clock, this.#rng);
      const stored: StoredSecret = {
        id,
        name: input.name,
        createdAtMs: this.#clock.now(),
        sealed: this.#box.seal(input.value, id),
      };
      await this.#records.put(RESOURCE_KINDS.secret.recordKind, id, stored);
      this.#log.info({ secret_id: id, name: input.name }, "secret created");
      return secretInfo(stored);
    });
  }

  async listSecrets(): Promise<SecretInfo[]> {
    return (await this.#records.list<StoredSecret>(RESOURCE_KINDS.secret.recordKind)).map(secretInfo);
  }

  async getSecret(idOrName: string): Promise<SecretInfo> {
    return secretInfo(await this.#find<StoredSecret>("secret", idOrName));
  }

  deleteSecret(idOrName: string): Promise<SecretInfo> {
    return this.#delete<StoredSecret>("secret", idOrName).then(secretInfo);
  }

  /**
   * The plaintext of a secret, for the credential gateway. Internal: no RPC, log line, error or
   * event may carry what this returns.
   */
  async resolveSecretValue(idOrName: string): Promise<string> {
    const stored = await this.#find<StoredSecret>("secret", idOrName);
    try {
      return this.#box.open(stored.sealed, stored.id);
    } catch {
      throw new SecretKeyMismatchError(
        `secret ${quote(stored.name)} (${stored.id}) cannot be decrypted with the current secret key ` +
          `(${SECRET_KEY_ENV} or ${SECRET_KEY_FILE} changed, or the record was tampered with)`,
      );
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Network policies

  createNetworkPolicy(input: CreateNetworkPolicyInput): Promise<NetworkPolicyRecord> {
    const problems = createNetworkPolicyProblems(input);
    const egress = normalizeEgress(input.egress ?? EMPTY_EGRESS);
    if ("problems" in egress) problems.push(...egress.problems);
    if (problems.length > 0 || "problems" in egress) {
      return Promise.reject(new RegistryValidationError(problems));
    }
    return this.#queue.run(async () => {
      await this.#assertNameFree("network_policy", input.name);
      const now = this.#clock.now();
      const policy: NetworkPolicyRecord = {
        id: newId(RESOURCE_KINDS.network_policy.idPrefix, this.#clock, this.#rng),
        name: input.name,
        description: input.description ?? "",
        egress,
        createdAtMs: now,
        updatedAtMs: now,
      };
      await this.#records.put(RESOURCE_KINDS.network_policy.recordKind, policy.id, policy);
      this.#log.info({ network_policy_id: policy.id, name: policy.name }, "network policy created");
      return policy;
    });
  }

  getNetworkPolicy(idOrName: string): Promise<NetworkPolicyRecord> {
    return this.#find<NetworkPolicyRecord>("network_policy", idOrName);
  }

  listNetworkPolicies(): Promise<NetworkPolicyRecord[]> {
    return this.#records.list<NetworkPolicyRecord>(RESOURCE_KINDS.network_policy.recordKind);
  }

  /** Unset fields stay; `egress` replaces the whole section. Listeners hear about the change. */
  updateNetworkPolicy(idOrName: string, input: UpdateNetworkPolicyInput): Promise<NetworkPolicyRecord> {
    const problems = updateNetworkPolicyProblems(input);
    const egress = input.egress && normalizeEgress(input.egress);
    if (egress && "problems" in egress) problems.push(...egress.problems);
    if (problems.length > 0 || (egress && "problems" in egress)) {
      return Promise.reject(new RegistryValidationError(problems));
    }
    return this.#queue.run(async () => {
      const current = await this.#find<NetworkPolicyRecord>("network_policy", idOrName);
      if (input.name !== undefined && input.name !== current.name) {
        await this.#assertNameFree("network_policy", input.name);
      }
      const updated: NetworkPolicyRecord = {
        ...current,
        name: input.name ?? current.name,
        description: input.description ?? current.description,
        egress: egress ?? current.egress,
        updatedAtMs: this.#clock.now(),
      };
      await this.#records.put(RESOURCE_KINDS.network_policy.recordKind, updated.id, updated);
      this.#log.info({ network_policy_id: updated.id, name: updated.name }, "network policy updated");
      for (const listener of this.#policyListeners) {
        try {
          listener(updated);
        } catch (error) {
          this.#log.error({ network_policy_id: updated.id, err: String(error) }, "policy listener failed");
        }
      }
      return updated;
    });
  }

  deleteNetworkPolicy(idOrName: string): Promise<NetworkPolicyRecord> {
    return this.#delete<NetworkPolicyRecord>("network_policy", idOrName);
  }

  /**
   * Called after every successful update, so the runtime layer can push the new rules to the
   * egress proxy (`proxy.updatePolicy(runtimeId, policy.egress)`). Returns the unsubscribe.
   */
  onNetworkPolicyUpdated(listener: (policy: NetworkPolicyRecord) => void): () => void {
    this.#policyListeners.add(listener);
    return () => this.#policyListeners.delete(listener);
  }

  // ---------------------------------------------------------------------------------------------
  // Gateway configs

  createGatewayConfig(input: CreateGatewayConfigInput): Promise<GatewayConfigRecord> {
    const normalized = normalizeGatewayConfigInput(input);
    if ("problems" in normalized) return Promise.reject(new RegistryValidationError(normalized.problems));
    return this.#queue.run(async () => {
      await this.#assertNameFree("gateway_config", normalized.name);
      const config: GatewayConfigRecord = {
        id: newId(RESOURCE_KINDS.gateway_config.idPrefix, this.#clock, this.#rng),
        ...normalized,
        createdAtMs: this.#clock.now(),
      };
      await this.#records.put(RESOURCE_KINDS.gateway_config.recordKind, config.id, config);
      this.#log.info({ gateway_config_id: config.id, name: config.name }, "gateway config created");
      return config;
    });
  }

  getGatewayConfig(idOrName: string): Promise<GatewayConfigRecord> {
    return this.#find<GatewayConfigRecord>("gateway_config", idOrName);
  }

  listGatewayConfigs(): Promise<GatewayConfigRecord[]> {
    return this.#records.list<GatewayConfigRecord>(RESOURCE_KINDS.gateway_config.recordKind);
  }

  deleteGatewayConfig(idOrName: string): Promise<GatewayConfigRecord> {
    return this.#delete<GatewayConfigRecord>("gateway_config", idOrName);
  }

  // ---------------------------------------------------------------------------------------------
  // For the runtime layer

  /**
   * Checks and resolves what a CreateRuntime names. Throws RegistryValidationError listing every
   * bad prefix or empty reference (and bindings under a policy that denies the agent gateway),
   * then RegistryNotFoundError listing every unknown policy, config or secret. Store the ids of
   * the result in the runtime, not the names given: names of policies can change.
   */
  async resolveRuntimeNetwork(input: RuntimeNetworkInput): Promise<ResolvedRuntimeNetwork> {
    const gateways = Object.entries(input.gateways ?? {});
    const problems: string[] = [];
    const prefixes = new Set(gateways.map(([prefix]) => prefix));
    for (const [prefix, binding] of gateways) {
      const error = bindingPrefixError(prefix);
      if (error) problems.push(`gateways: ${error}`);
      else if (prefixes.has(`${prefix}_URL`)) {
        problems.push(
          `gateways: binding prefixes "${prefix}" and "${prefix}_URL" would both set ${prefix}_URL`,
        );
      }
      if (binding.gateway === "")
        problems.push(`gateways[${prefix}].gateway is required (a gateway config id or name)`);
      if (binding.secret === "")
        problems.push(`gateways[${prefix}].secret is required (a secret id or name)`);
    }
    if (problems.length > 0) throw new RegistryValidationError(problems);

    const missing: string[] = [];
    const lookup = <T>(found: Promise<T>): Promise<T | undefined> =>
      found.catch((error: unknown) => {
        if (!(error instanceof RegistryNotFoundError)) throw error;
        missing.push(error.message);
        return undefined;
      });
    const networkPolicy = input.networkPolicy
      ? await lookup(this.getNetworkPolicy(input.networkPolicy))
      : undefined;
    const bindings: ResolvedBinding[] = [];
    for (const [prefix, binding] of gateways) {
      const gateway = await lookup(this.getGatewayConfig(binding.gateway));
      const secret = await lookup(this.getSecret(binding.secret));
      if (gateway && secret) bindings.push({ prefix, gateway, secret });
    }
    if (missing.length > 0) throw new RegistryNotFoundError(missing.join("; "));
    if (networkPolicy && gateways.length > 0 && !networkPolicy.egress.allowAgentGateway) {
      throw new RegistryValidationError([
        `network policy ${quote(networkPolicy.name)} does not allow the agent gateway ` +
          `(egress.allow_agent_gateway), so the gateway bindings ${gateways.map(([p]) => p).join(", ")} could not be used`,
      ]);
    }
    return { ...(networkPolicy && { networkPolicy }), bindings };
  }

  /**
   * Runs `task` while no create, update or delete runs. For the runtime layer: resolve a runtime's
   * references and persist the runtime inside one task, so a delete cannot slip in between and
   * leave it pointing at nothing. The task must not call the registry's mutating methods (they
   * would wait for it forever); lookups and `resolveRuntimeNetwork` are fine.
   */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.#queue.run(task);
  }

  /** Registrations for `credentialGateway.registerBinding`, secret values opened. Internal. */
  async openBindings(
    runtimeId: string,
    bindings: readonly ResolvedBinding[],
  ): Promise<BindingRegistration[]> {
    const out: BindingRegistration[] = [];
    for (const binding of bindings) {
      out.push({
        runtimeId,
        prefix: binding.prefix,
        gateway: binding.gateway,
        secret: await this.resolveSecretValue(binding.secret.id),
      });
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------

  async #find<T extends { id: string; name: string }>(kind: ResourceKind, idOrName: string): Promise<T> {
    const { idPrefix, recordKind, label } = RESOURCE_KINDS[kind];
    if (idOrName === "") {
      throw new RegistryValidationError([`id is required: the ${label}'s id (${idPrefix}_…) or name`]);
    }
    const found = isId(idPrefix, idOrName)
      ? await this.#records.get<T>(recordKind, idOrName)
      : (await this.#records.list<T>(recordKind)).find((record) => record.name === idOrName);
    if (!found) throw new RegistryNotFoundError(`${label} ${quote(idOrName)} not found`);
    return found;
  }

  async #assertNameFree(kind: ResourceKind, name: string): Promise<void> {
    const { recordKind, label } = RESOURCE_KINDS[kind];
    const taken = (await this.#records.list<{ id: string; name: string }>(recordKind)).find(
      (record) => record.name === name,
    );
    if (taken) {
      throw new RegistryAlreadyExistsError(`a ${label} named ${quote(name)} already exists (${taken.id})`);
    }
  }

  #delete<T extends { id: string; name: string }>(kind: ResourceKind, idOrName: string): Promise<T> {
    return this.#queue.run(async () => {
      const record = await this.#find<T>(kind, idOrName);
      const { recordKind, label } = RESOURCE_KINDS[kind];
      const runtimes = [...(await this.#referencedBy(kind, record.id))];
      if (runtimes.length > 0) {
        const shown =
          runtimes.slice(0, 10).join(", ") + (runtimes.length > 10 ? `, … (${runtimes.length})` : "");
        throw new RegistryInUseError(
          `${label} ${quote(record.name)} (${record.id}) is used by runtime${runtimes.length > 1 ? "s" : ""} ${shown}; shut ${runtimes.length > 1 ? "them" : "it"} down first`,
          runtimes,
        );
      }
      await this.#records.delete(recordKind, record.id);
      this.#log.info({ [`${kind}_id`]: record.id, name: record.name }, `${label} deleted`);
      return record;
    });
  }

  async #checkKey(forgetSecretsOnMismatch: boolean): Promise<void> {
    const check = await this.#records.get<{ sealed: string }>(KEY_CHECK.kind, KEY_CHECK.id);
    const secrets = await this.#records.list<StoredSecret>(RESOURCE_KINDS.secret.recordKind);
    // Stores from before the check record: the first secret serves as the check.
    const probe = check
      ? { sealed: check.sealed, context: KEY_CHECK.context }
      : secrets[0] && { sealed: secrets[0].sealed, context: secrets[0].id };
    let matches = true;
    if (probe) {
      try {
        this.#box.open(probe.sealed, probe.context);
      } catch {
        matches = false;
      }
    }
    if (!matches) {
      if (!forgetSecretsOnMismatch) {
        throw new SecretKeyMismatchError(
          `the secret key is not the one the stored secrets were sealed with; restore the original ` +
            `${SECRET_KEY_ENV} or <data dir>/${SECRET_KEY_FILE}. If that key is lost, the secrets are ` +
            `too: start once with the option to forget them, then create them again`,
        );
      }
      for (const secret of secrets) await this.#records.delete(RESOURCE_KINDS.secret.recordKind, secret.id);
      this.#log.warn({ forgotten: secrets.length }, "secret key changed: stored secrets were forgotten");
    }
    if (!check || !matches) {
      await this.#records.put(KEY_CHECK.kind, KEY_CHECK.id, {
        sealed: this.#box.seal(KEY_CHECK.context, KEY_CHECK.context),
      });
    }
  }
}

function secretInfo(stored: StoredSecret): SecretInfo {
  return { id: stored.id, name: stored.name, createdAtMs: stored.createdAtMs };
}
