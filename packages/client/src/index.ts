export { bearerAuthInterceptor, withBearerAuth } from "./auth.js";
export { type AxonClient, type AxonClientOptions, createAxonClient } from "./axon-client.js";
export type { AxonHandle } from "./axon-handle.js";
export type { Axons, CreateAxonInput, ListAxonsInput, ListAxonsPageInput } from "./axons.js";
export type { RetryOptions } from "./backoff.js";
export {
  Code,
  ConnectError,
  type ExpectedHeadMismatchInfo,
  expectedHeadMismatch,
  isConnectionError,
  isRetryableError,
} from "./errors.js";
export { DEFAULT_IDLE_TIMEOUT_MS, type ReconnectInfo, type SubscribeOptions } from "./subscribe.js";
export type { Timers } from "./timers.js";
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
} from "./types.js";
