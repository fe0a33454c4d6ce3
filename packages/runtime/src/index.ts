export {
  AGENT_HOST_ENV,
  AXON_ID_ENV,
  agentEnv,
  expandBindingReferences,
  INHERITED_ENV_NAMES,
  MODEL_ENV,
  RUNTIME_ID_ENV,
} from "./agent-env.js";
export { REAPER_SCRIPT, startAgentReaper, sweepAgents } from "./agent-reaper.js";
export {
  InvalidRuntimeError,
  RuntimeManagerClosedError,
  RuntimeNotFoundError,
  RuntimePreconditionError,
  RuntimeStateError,
} from "./errors.js";
export { runLifecycleHook } from "./hooks/lifecycle-hooks.js";
export {
  HOOK_OUTPUT_TAIL_BYTES,
  type HookName,
  type HookOutcome,
  hookSpecError,
  MAX_HOOK_DEADLINE_MS,
} from "./hooks/plan-hook.js";
export { runHook } from "./hooks/run-hook.js";
export { BROKER_SOURCE, type BrokerTuning } from "./hosted-runtime.js";
export {
  decideLease,
  holdsLease,
  type LeaseDecision,
  type LeaseState,
  type LeaseTiming,
  leaseTiming,
} from "./lease/decide-lease.js";
export { FencedStore } from "./lease/fenced-store.js";
export type { LeaseRecord, LeaseStore } from "./lease/lease-store.js";
export { RuntimeFencedError } from "./lease/runtime-fenced-error.js";
export { RuntimeLeases, type RuntimeLeasesOptions } from "./lease/runtime-leases.js";
export { MAX_MODEL_LENGTH, type McpServerSpec } from "./mcp-servers.js";
export { GATEWAY_EVENT_SOURCE, type RuntimeAuditEvent, RuntimeAuditSink } from "./runtime-audit-sink.js";
export { RUNTIME_EVENT_SOURCE, type RuntimeEventPayload, RuntimeEventType } from "./runtime-events.js";
export type { RuntimeLogger } from "./runtime-logger.js";
export {
  DEFAULT_START_TIMEOUT_MS,
  RuntimeManager,
  type RuntimeManagerOptions,
} from "./runtime-manager.js";
export {
  type AttachedNetwork,
  type ResolvedRuntimeNetwork,
  RuntimeNetwork,
  type RuntimeNetworkOptions,
} from "./runtime-network.js";
export type {
  CreateRuntimeInput,
  GatewayBindingInput,
  GatewayBindingRef,
  HookSpec,
  LifecycleSpec,
  MountSpec,
  RuntimeRecord,
  RuntimeStatus,
  SandboxKind,
  SandboxPolicy,
} from "./runtime-record.js";
export { runtimeReferencesIn } from "./runtime-references.js";
export { type MountChanges, planRuntimeUpdate, type RuntimeUpdate } from "./runtime-update.js";
export * from "./sandbox/index.js";
export { MAX_RUNTIME_NAME_LENGTH } from "./validate-runtime-input.js";
