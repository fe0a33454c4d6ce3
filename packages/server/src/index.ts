export { type ApiKeyConfig, type ApiKeyGrant, isScope, SCOPES, type Scope } from "./api-keys.js";
export { isLoopbackHost } from "./auth.js";
export {
  type AxonServiceOptions,
  axonRoutes,
  createAxonService,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
} from "./axon-service.js";
export { createGatewayConfigService } from "./gateway-config-service.js";
export { toGatewayConnectError } from "./gateway-errors.js";
export { gatewayRoutes } from "./gateway-routes.js";
export { HEALTH_PATH } from "./health.js";
export { ServerMetrics } from "./metrics.js";
export { createNetworkPolicyService } from "./network-policy-service.js";
export { normalizeOrigin } from "./request-admission.js";
export { REQUEST_ID_HEADER, requestLogFields } from "./request-context.js";
export { requiredScopes } from "./required-scope.js";
export {
  createRuntimeService,
  type RuntimeServiceOptions,
  runtimeErrorToConnect,
  runtimeRoutes,
} from "./runtime-service.js";
export { createSecretService, type GatewayServiceOptions } from "./secret-service.js";
export { createSqlService, type SqlServiceOptions, sqlRoutes } from "./sql-service.js";
export {
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  type RunningAxonServer,
  type SiteHandler,
  type StartAxonServerOptions,
  startAxonServer,
} from "./start-axon-server.js";
export { SLOW_WRITE_SECONDS, storeWriteObserver } from "./store-write-observer.js";
export {
  DEFAULT_TRANSPORT_LIMITS,
  resolveTransportLimits,
  type TransportLimits,
} from "./transport-limits.js";
export { type TurnEnd, type TurnOutcomeLabel, turnOutcomeOf } from "./turn-outcome.js";
export {
  DEFAULT_MAX_PAYLOAD_BYTES,
  MAX_BATCH_EVENTS,
  MAX_EVENT_TYPE_LENGTH,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  MAX_SOURCE_LENGTH,
} from "./validate-publish.js";
export { decideWebhookDelivery, type WebhookDelivery } from "./webhooks/decide-webhook-delivery.js";
export { DEFAULT_MAX_WEBHOOK_BODY_BYTES } from "./webhooks/webhook-endpoint.js";
export type { WebhookProviderName, WebhookRecord } from "./webhooks/webhook-record.js";
export {
  type CreateWebhookInput,
  WEBHOOK_RECORD_KIND,
  WebhookRegistry,
  type WebhookRegistryOptions,
} from "./webhooks/webhook-registry.js";
