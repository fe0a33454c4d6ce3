export type { AgentSession, PromptOptions } from "./agent-session.js";
export { bearerAuthInterceptor, withBearerAuth } from "./auth.js";
export { type AxonClient, type AxonClientOptions, createAxonClient } from "./axon-client.js";
export type { AxonHandle } from "./axon-handle.js";
export { type AxonSql, sqlErrorOf } from "./axon-sql.js";
export type { Axons, CreateAxonInput, ListAxonsInput, ListAxonsPageInput, UpdateAxonInput } from "./axons.js";
export type { RetryOptions } from "./backoff.js";
export {
  type AxonFullInfo,
  axonFull,
  Code,
  ConnectError,
  EventsTrimmedError,
  type ExpectedHeadMismatchInfo,
  expectedHeadMismatch,
  isConnectionError,
  isRetryableError,
} from "./errors.js";
export type { GatewayConfigs, NetworkPolicies, Secrets } from "./gateway-resources.js";
export type {
  AuthMechanism,
  AuthTypeName,
  CidrRuleInput,
  CreateGatewayConfigInput,
  CreateNetworkPolicyInput,
  CreateSecretInput,
  Egress,
  EgressInput,
  GatewayConfig,
  NetworkPolicy,
  PortRange,
  PortRangeInput,
  Secret,
  UpdateNetworkPolicyInput,
} from "./gateway-types.js";
export type {
  AgentProtocolName,
  CreateRuntimeInput,
  GatewayBinding,
  McpServer,
  McpServerInput,
  PermissionPolicyName,
  Runtime,
  RuntimeHook,
  RuntimeLifecycle,
  RuntimeLifecycleInput,
  RuntimeMount,
  RuntimeMountInput,
  RuntimeStatusName,
  SandboxName,
  SandboxPolicyName,
  UpdateRuntimeInput,
} from "./runtime-types.js";
export type { Runtimes } from "./runtimes.js";
export type {
  SqlBatchResult,
  SqlColumn,
  SqlErrorInfo,
  SqlMeta,
  SqlParam,
  SqlResult,
  SqlStatementInput,
  SqlStepResult,
  SqlValue,
} from "./sql-types.js";
export { DEFAULT_IDLE_TIMEOUT_MS, type ReconnectInfo, type SubscribeOptions } from "./subscribe.js";
export type { Timers } from "./timers.js";
export { isTlsMismatch, TLS_MISMATCH_CODE } from "./tls-mismatch.js";
export { Turn, TurnClosedError, TurnFailedError, type TurnOptions } from "./turn.js";
export {
  type ContentBlock,
  describeTurnEvent,
  EventType,
  type PermissionOption,
  type PermissionRequest,
  type PromptContent,
  type ToolCallInfo,
  type TurnEventView,
  type TurnResult,
  turnIdFor,
  turnIdOf,
} from "./turn-events.js";
export type {
  Axon,
  AxonEvent,
  AxonPage,
  CallOptions,
  EventInput,
  EventPage,
  ListEventsOptions,
  OriginName,
  PayloadInput,
  PublishBatchOptions,
  PublishBatchResult,
  PublishInput,
  PublishOrigin,
  PublishResult,
  Retention,
} from "./types.js";
export type { CreateWebhookInput, Webhook, WebhookProviderName, Webhooks } from "./webhooks.js";
