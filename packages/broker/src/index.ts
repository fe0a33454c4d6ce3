export {
  EventType,
  type PromptContent,
  type SessionStartedPayload,
  type TurnCompletedPayload,
  type TurnFailedPayload,
  type TurnPermissionRequestPayload,
  type TurnStartedPayload,
  turnIdFor,
} from "@openaxon/protocol/vocabulary";
export type {
  AgentAdapter,
  AgentAdapterFactory,
  AgentLaunch,
  AgentProtocolName,
  AgentSession,
  AgentStartOptions,
  ContentBlock,
  LaunchCommand,
  McpServerConfig,
  PermissionDecision,
  PermissionOption,
  PermissionRequest,
  ToolCallInfo,
  TurnInput,
  TurnOutput,
} from "./agent-adapter.js";
export type { AgentLogLimits } from "./agent-log-coalescer.js";
export {
  type AxonLink,
  type AxonLinkEvent,
  type AxonLinkEventInput,
  type AxonLinkPublishOptions,
  type AxonLinkReadOptions,
  Origin,
} from "./axon-link.js";
export {
  Broker,
  type BrokerLogger,
  type BrokerObserver,
  type BrokerOptions,
  type BrokerStatus,
  type TurnRef,
} from "./broker.js";
export { type RecoveredState, type RecoverOptions, recoverBrokerState } from "./cursor-recovery.js";
export { describeError, describeExit, type ExitInfo } from "./describe.js";
export type { TurnOutcome } from "./drive-turn.js";
export { logStoreAxonLink } from "./log-store-axon-link.js";
export {
  autoAllow,
  deny,
  type PermissionPolicy,
  permissionPolicyFromProto,
} from "./permission-policy.js";
export { isTurnTrigger } from "./triggers.js";
export type { QueuedTurn } from "./turn-queue.js";
