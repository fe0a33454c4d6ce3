import type { AxonHandle } from "./axon-handle.js";
import { Turn, type TurnOptions } from "./turn.js";
import { EventType, type PromptContent } from "./turn-events.js";
import type { CallOptions } from "./types.js";

export interface PromptOptions extends TurnOptions, CallOptions {
  /**
   * Publishing the same key again starts no second turn: the prompt follows the turn of the first
   * publish (so a retried prompt is safe).
   */
  readonly idempotencyKey?: string;
}

/**
 * Talking to the agent mounted on one axon: `client.agentSession(axonId)`. The agent itself runs
 * in a runtime (`client.runtimes.create`) or any broker following the axon; the session only
 * writes `user.message`s and follows the turns they start.
 */
export interface AgentSession {
  readonly axonId: string;
  /**
   * Publishes `user.message {content}` (USER origin) and resolves, once the message is durable,
   * to its Turn. Turns run one at a time per axon, so a prompt sent while another turn runs is
   * queued; its Turn starts yielding when it starts.
   */
  prompt(content: PromptContent, options?: PromptOptions): Promise<Turn>;
  /** Follows the turn started by the `user.message` at `triggerSequence` (e.g. after a restart). */
  turn(triggerSequence: number, options?: TurnOptions): Turn;
  /**
   * Publishes `session.new`: from the next turn on (turns already queued finish first) the agent
   * works in a fresh session. Resolves with the event's sequence once it is durable.
   */
  newSession(options?: PromptOptions): Promise<number>;
  /**
   * Publishes `session.load {session_id}`: from the next turn on the agent continues that session
   * (an `agent_session_id` of a `session.started`). If the agent cannot, the next turn fails
   * (`turn.failed` naming the session) rather than run elsewhere.
   */
  loadSession(sessionId: string, options?: PromptOptions): Promise<number>;
}

export function createAgentSession(axon: AxonHandle, defaultSource: string): AgentSession {
  return {
    axonId: axon.id,
    async prompt(content, options = {}) {
      const source = options.source ?? defaultSource;
      const { sequence } = await axon.publish(
        {
          eventType: EventType.UserMessage,
          payload: { content },
          origin: "user",
          source,
          ...(options.idempotencyKey !== undefined && { idempotencyKey: options.idempotencyKey }),
        },
        { signal: options.signal, timeoutMs: options.timeoutMs },
      );
      return new Turn(axon, sequence, { ...options, source });
    },
    async newSession(options = {}) {
      return (await publishControl(axon, EventType.SessionNew, {}, options, defaultSource)).sequence;
    },
    async loadSession(sessionId, options = {}) {
      if (sessionId === "") throw new TypeError("loadSession: give the agent_session_id to continue");
      const payload = { session_id: sessionId };
      return (await publishControl(axon, EventType.SessionLoad, payload, options, defaultSource)).sequence;
    },
    turn(triggerSequence, options = {}) {
      return new Turn(axon, triggerSequence, { ...options, source: options.source ?? defaultSource });
    },
  };
}

function publishControl(
  axon: AxonHandle,
  eventType: string,
  payload: object,
  options: PromptOptions,
  defaultSource: string,
) {
  return axon.publish(
    {
      eventType,
      payload,
      origin: "user",
      source: options.source ?? defaultSource,
      ...(options.idempotencyKey !== undefined && { idempotencyKey: options.idempotencyKey }),
    },
    { signal: options.signal, timeoutMs: options.timeoutMs },
  );
}
