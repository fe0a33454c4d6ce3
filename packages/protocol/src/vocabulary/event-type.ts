/**
 * Every event type OpenAxon itself writes or reads (DESIGN.md, "Event vocabulary"). Anything else
 * in an axon is the publisher's own vocabulary and passes through untouched.
 */
export const EventType = {
  // Inputs (USER / EXTERNAL)
  UserMessage: "user.message",
  TurnCancel: "turn.cancel",
  PermissionResponse: "permission.response",
  /** From the next turn on, the agent works in a fresh session. */
  SessionNew: "session.new",
  /** From the next turn on, the agent works in the session `session_id`. */
  SessionLoad: "session.load",
  // A turn (SYSTEM brackets, AGENT content)
  TurnStarted: "turn.started",
  TurnMessageChunk: "turn.message_chunk",
  TurnThoughtChunk: "turn.thought_chunk",
  TurnToolCall: "turn.tool_call",
  TurnToolCallUpdate: "turn.tool_call_update",
  TurnPlan: "turn.plan",
  TurnPermissionRequest: "turn.permission_request",
  TurnCompleted: "turn.completed",
  TurnFailed: "turn.failed",
  // Sessions, agents, brokers (SYSTEM)
  SessionStarted: "session.started",
  SessionPrimed: "session.primed",
  AgentLog: "agent.log",
  BrokerError: "broker.error",
  // Runtime lifecycle (SYSTEM)
  RuntimeRunning: "runtime.running",
  RuntimeSuspended: "runtime.suspended",
  RuntimeResumed: "runtime.resumed",
  RuntimeShutdown: "runtime.shutdown",
  RuntimeFailed: "runtime.failed",
  RuntimeUpdated: "runtime.updated",
  RuntimeHook: "runtime.hook",
  // Gateway audit (SYSTEM)
  GatewayAllowed: "gateway.allowed",
  GatewayDenied: "gateway.denied",
  GatewaySuppressed: "gateway.suppressed",
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

/** Turn ids derive from the trigger's sequence, so a client knows its turn's id as soon as its publish is acknowledged. */
export function turnIdFor(triggerSequence: number): string {
  return `turn_${triggerSequence}`;
}
