/**
 * @openaxon/gateway — what an agent can reach, and with which credentials.
 *
 * Egress proxy (`startEgressProxy`): an HTTP proxy for CONNECT and absolute-form HTTP. Register
 * each runtime with its network policy (`registerRuntime({ runtimeId, policy })`); the returned
 * `proxyUrl()` carries a per-runtime credential (`http://rt_…:<password>@127.0.0.1:<port>`), which
 * clients send as `Proxy-Authorization: Basic` — that is how the proxy knows whose policy applies.
 * Without a policy a runtime reaches the public internet only. `updatePolicy`, `revokeRuntime`.
 *
 * Credential gateway (`startCredentialGateway`): `registerBinding({ runtimeId, prefix, gateway,
 * secret })` returns a `gws_…` token and the binding URL; requests to the URL with the token get
 * the real secret injected and go to the configured endpoint. `revokeRuntime` kills the tokens.
 *
 * Both listen on 127.0.0.1 (ephemeral port) and optionally a Unix socket (for the sandbox
 * bridge), and report every allowed/denied connection to an `AuditSink` as `gateway.allowed` /
 * `gateway.denied` (plus `gateway.suppressed` summaries), rate-limited per runtime.
 *
 * Agent environment: `agentNetworkEnv({ proxyUrl, bindings })` → HTTP(S)_PROXY/ALL_PROXY (+ lower
 * case), NO_PROXY=loopback, `$PREFIX_URL` and `$PREFIX`. Start from `withoutServerSecrets(env)`.
 *
 * Sandbox: `detectSandbox()` + `chooseSandbox(mode, …)`, then `buildSandboxCommand({ command,
 * workdir, bridges: [{ port: SANDBOX_PROXY_PORT, socketPath: proxy.unixSocketPath }, …],
 * hiddenPaths: [dataDir] })` → `{ file, args }` to spawn with the agent's env.
 *
 * Registry (`GatewayRegistry.open({ records: recordsFromStore(store), box })`): secrets (values
 * sealed at rest, write-only), network policies and gateway configs, validated and looked up by id
 * or name; `resolveRuntimeNetwork` + `openBindings` give the runtime layer what it needs.
 *
 * Policy pieces for API validation: `compileEgressPolicy` (all errors at once), `decideEgress`,
 * `classifyAddress`, `normalizeHost`. Secrets at rest: `SecretBox` + `loadOrCreateKey`.
 */

export {
  type AgentGatewayBindingEnv,
  type AgentNetworkEnvOptions,
  agentNetworkEnv,
  bindingPrefixError,
  withoutServerSecrets,
} from "./agent-env.js";
export {
  type AuditLimiter,
  type AuditLimiterOptions,
  type AuditSink,
  createAuditLimiter,
  type GatewayAccessEvent,
  type GatewayAccessPayload,
  type GatewayAuditEvent,
  type GatewaySuppressedPayload,
} from "./audit.js";
export {
  type BindingRegistration,
  type CredentialGateway,
  type CredentialGatewayOptions,
  type GatewayEndpoint,
  type IssuedBinding,
  startCredentialGateway,
} from "./credentials/credential-gateway.js";
export { createSecretScrubber, REDACTED, scrubText, secretForms } from "./credentials/secret-scrubber.js";
export {
  type AddressCategory,
  type AddressClassification,
  CLOUD_METADATA_ADDRESSES,
  classifyAddress,
  type EmbeddingKind,
} from "./egress/address-classification.js";
export { type Authority, parseAbsoluteHttpTarget, parseConnectAuthority } from "./egress/authority.js";
export { type Dialer, systemDialer } from "./egress/dialer.js";
export {
  type EgressProxy,
  type EgressProxyOptions,
  type RuntimeProxyAccess,
  type RuntimeRegistration,
  startEgressProxy,
} from "./egress/egress-proxy.js";
export { hostAddresses } from "./egress/host-addresses.js";
export {
  hostnameMatches,
  type NormalizedHost,
  normalizeHost,
  normalizeHostname,
  parseHostnamePattern,
} from "./egress/hostname.js";
export { formatIp, type IpAddress, parseCidr, parseIpLiteral } from "./egress/ip-address.js";
export {
  type CidrRuleInput,
  type CompiledEgressPolicy,
  compileEgressPolicy,
  compileEgressPolicyOrThrow,
  type DecisionContext,
  decideEgress,
  type EgressDecision,
  type EgressRules,
  type Listener,
  type PortRangeRule,
} from "./egress/policy.js";
export { type Resolver, systemResolver } from "./egress/resolver.js";
export { configurableHeaderNameError } from "./http-headers.js";
export type { GatewayLogger } from "./logger.js";
export {
  type AuthMechanismInput,
  type CreateGatewayConfigInput,
  MAX_CUSTOM_HEADERS,
  normalizeGatewayConfigInput,
} from "./registry/gateway-config-input.js";
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
} from "./registry/gateway-registry.js";
export { MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH, nameProblems } from "./registry/names.js";
export {
  type CreateNetworkPolicyInput,
  EMPTY_EGRESS,
  normalizeEgress,
  type UpdateNetworkPolicyInput,
} from "./registry/network-policy-input.js";
export {
  memoryRecords,
  type RecordStore,
  type RecordsPort,
  recordsFromStore,
} from "./registry/records-port.js";
export {
  RegistryAlreadyExistsError,
  RegistryError,
  RegistryInUseError,
  RegistryNotFoundError,
  RegistryValidationError,
  SecretKeyMismatchError,
} from "./registry/registry-errors.js";
export { RESOURCE_KINDS, type ResourceKind } from "./registry/resource-kinds.js";
export {
  type LoadedKey,
  type LoadKeyOptions,
  loadOrCreateKey,
  SECRET_KEY_ENV,
  SECRET_KEY_FILE,
  SecretBox,
  SecretBoxError,
} from "./registry/secret-box.js";
export {
  type CreateSecretInput,
  MAX_SECRET_LENGTH,
  MIN_SECRET_LENGTH,
  secretInputProblems,
} from "./registry/secret-input.js";
export {
  buildSandboxCommand,
  SANDBOX_GATEWAY_PORT,
  SANDBOX_PROXY_PORT,
  type SandboxBridge,
  type SandboxCommand,
  type SandboxCommandOptions,
} from "./sandbox-command.js";
export {
  chooseSandbox,
  type DetectSandboxOptions,
  detectSandbox,
  type SandboxAvailability,
  type SandboxMode,
} from "./sandbox-detect.js";
