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
    turn(triggerSequence, options = {}) {
      return new Turn(axon, triggerSequence, { ...options, source: options.source ?? defaultSource });
    },
  };
}
