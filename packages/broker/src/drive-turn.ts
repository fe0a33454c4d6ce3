import { EventType } from "@openaxon/protocol/vocabulary";
import type {
  AgentAdapter,
  ContentBlock,
  PermissionDecision,
  PermissionRequest,
  TurnOutput,
} from "./agent-adapter.js";
import { describeError } from "./describe.js";

/** How a turn ended, as the broker records it. */
export type TurnOutcome =
  | { readonly kind: "completed"; readonly stopReason: string }
  | { readonly kind: "failed"; readonly error: string };

/**
 * Something outside the agent's own output that ends the turn: the agent process died, the broker is
 * stopping, or a cancel was not honoured within its grace period.
 */
export type TurnInterruption = TurnOutcome & { readonly restartAgent: boolean };

export interface DriveTurnOptions {
  readonly adapter: AgentAdapter;
  readonly turnId: string;
  readonly content: string | readonly ContentBlock[];
  readonly requestPermission: (request: PermissionRequest) => Promise<PermissionDecision>;
  /** Publishes one AGENT-origin event; awaited, so a slow axon slows the agent's reading, not memory. */
  readonly publish: (eventType: string, payload: object) => Promise<unknown>;
  readonly interruption: Promise<TurnInterruption>;
}

/**
 * Runs one turn: feeds the prompt to the adapter and publishes each output item as its `turn.*`
 * event until the adapter reports the stop reason, throws, or the turn is interrupted. Returns the
 * outcome; the caller writes the terminal event.
 */
export async function driveTurn(options: DriveTurnOptions): Promise<TurnOutcome & { restartAgent: boolean }> {
  const { adapter, turnId, publish } = options;
  let iterator: AsyncIterator<TurnOutput> | undefined;
  const interrupted = options.interruption.then((i) => ({ interrupted: i }) as const);
  try {
    iterator = adapter
      .prompt({ turnId, content: options.content, requestPermission: options.requestPermission })
      [Symbol.asyncIterator]();
    for (;;) {
      const step = await Promise.race([iterator.next(), interrupted]);
      if ("interrupted" in step) return step.interrupted;
      if (step.done) {
        return {
          kind: "failed",
          error: "the agent adapter ended the turn without a stop reason",
          restartAgent: true,
        };
      }
      const output = step.value;
      if (output.type === "completed")
        return { kind: "completed", stopReason: output.stopReason, restartAgent: false };
      const event = toTurnEvent(turnId, output);
      // Publishing is raced too: stop() must not wait on an axon that no longer answers.
      const publishing = publish(event.eventType, event.payload).then(
        () => undefined,
        (error: unknown) => {
          throw new PublishError(error);
        },
      );
      const published = await Promise.race([publishing, interrupted]);
      if (published) return published.interrupted;
    }
  } catch (error) {
    // A publish failure is the broker's problem, not the agent's: let it propagate.
    if (error instanceof PublishError) throw error.cause;
    return { kind: "failed", error: describeError(error), restartAgent: true };
  } finally {
    // Let the adapter clean up (e.g. kill a per-turn process group) without waiting on it.
    try {
      iterator?.return?.().catch(() => {});
    } catch {
      // An adapter whose cleanup throws synchronously must not turn a finished turn into a failure.
    }
  }
}

/** Marks a failure of `publish`, so driveTurn tells it apart from an agent failure. */
export class PublishError extends Error {
  constructor(override readonly cause: unknown) {
    super("publish failed");
  }
}

/** Maps one normalized output item to its vocabulary event. */
export function toTurnEvent(turnId: string, output: Exclude<TurnOutput, { type: "completed" }>) {
  switch (output.type) {
    case "message_chunk":
      return { eventType: EventType.TurnMessageChunk, payload: { turn_id: turnId, text: output.text } };
    case "thought_chunk":
      return { eventType: EventType.TurnThoughtChunk, payload: { turn_id: turnId, text: output.text } };
    case "tool_call":
      return {
        eventType: EventType.TurnToolCall,
        payload: {
          turn_id: turnId,
          tool_call_id: output.toolCallId,
          title: output.title,
          kind: output.kind,
          status: output.status,
          ...(output.input === undefined ? {} : { input: output.input }),
        },
      };
    case "tool_call_update":
      return {
        eventType: EventType.TurnToolCallUpdate,
        payload: {
          turn_id: turnId,
          tool_call_id: output.toolCallId,
          ...(output.title === undefined ? {} : { title: output.title }),
          ...(output.kind === undefined ? {} : { kind: output.kind }),
          ...(output.status === undefined ? {} : { status: output.status }),
          ...(output.output === undefined ? {} : { output: output.output }),
        },
      };
    case "plan":
      return { eventType: EventType.TurnPlan, payload: { turn_id: turnId, entries: output.entries } };
  }
}
