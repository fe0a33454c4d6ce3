/**
 * @openaxon/gateway/registry — secrets (sealed at rest by `SecretBox`), network policies and gateway
 * configs, validated and looked up by id or name.
 */

export {
  type AuthMechanismInput,
  type CreateGatewayConfigInput,
  MAX_CUSTOM_HEADERS,
  normalizeGatewayConfigInput,
} from "./gateway-config-input.js";
export {
  type GatewayConfigRecord,
  GatewayRegistry,
  type GatewayRegistryOptions,
  type NetworkPolicyRecord,
  type ReferenceCheck,
  type ResolvedBinding,
  type ResolvedRuntimeNetwork,
  type RuntimeNetworkInput,
  type SecretInfo,
} from "./gateway-registry.js";
export { MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH, nameProblems } from "./names.js";
export {
  type CreateNetworkPolicyInput,
  EMPTY_EGRESS,
  normalizeEgress,
  type UpdateNetworkPolicyInput,
} from "./network-policy-input.js";
export {
  memoryRecords,
  type RecordStore,
  type RecordsPort,
  recordsFromStore,
} from "./records-port.js";
export {
  RegistryAlreadyExistsError,
  RegistryError,
  RegistryInUseError,
  RegistryNotFoundError,
  RegistryValidationError,
  SecretKeyMismatchError,
} from "./registry-errors.js";
export { RESOURCE_KINDS, type ResourceKind } from "./resource-kinds.js";
export {
  type LoadedKey,
  type LoadKeyOptions,
  loadOrCreateKey,
  SECRET_KEY_ENV,
  SECRET_KEY_FILE,
  SecretBox,
  SecretBoxError,
} from "./secret-box.js";
export {
  type CreateSecretInput,
  MAX_SECRET_LENGTH,
  MIN_SECRET_LENGTH,
  secretInputProblems,
} from "./secret-input.js";
