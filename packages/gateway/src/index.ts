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
 * The sandbox that bridges these listeners into an agent's network namespace lives in
 * `@openaxon/runtime` (`src/sandbox/`), beside the launch wrapping.
 *
 * Registry (`GatewayRegistry.open({ records: recordsFromStore(store), box, clock, rng })`): secrets (values
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
} from "./agent-network-env.js";
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
export * from "./credentials/index.js";
export * from "./egress/index.js";
export { configurableHeaderNameError } from "./http-headers.js";
export type { GatewayLogger } from "./logger.js";
export * from "./registry/index.js";
