import { EventType, type SessionStartedPayload } from "@openaxon/protocol/vocabulary";
import type { AgentAdapter, AgentSession } from "./agent-adapter.js";
import type { AgentLogCoalescer } from "./agent-log-coalescer.js";
import { describeError, describeExit } from "./describe.js";
import type { EventPublisher } from "./event-publisher.js";

export interface AgentSupervisorOptions {
  readonly adapter: AgentAdapter;
  /** Working directory and complete environment of the agent process. */
  readonly agent: { readonly cwd: string; readonly env: Readonly<Record<string, string>> };
  readonly publisher: EventPublisher;
  readonly logs: AgentLogCoalescer;
  /** Aborted when the broker stops. */
  readonly signal: AbortSignal;
  /** The live agent process exited on its own; `how` reads "it exited with code 1" and the like. */
  readonly onExit: (how: string) => void;
}

/**
 * The agent process: started lazily before a turn, restarted after a crash, always resuming the
 * recorded session, and recorded as `session.started` each time.
 */
export class AgentSupervisor {
  /** Bumped on every adapter start, so a late `onExit` of an older process is ignored. */
  private generation = 0;
  private live = false;
  private startingValue = false;
  private sessionIdValue: string | undefined;
  /**
   * The agent's next turn is primed with a transcript from the log: the agent changed (a
   * hand-off), or it could not resume the recorded session. Cleared once a turn was primed.
   */
  needsPriming = false;

  constructor(private readonly options: AgentSupervisorOptions) {}

  /** The agent session in use, or the one to resume at the next start. */
  get sessionId(): string | undefined {
    return this.sessionIdValue;
  }

  set sessionId(sessionId: string | undefined) {
    this.sessionIdValue = sessionId;
  }

  /** An adapter start is under way (stop() must not wait for it). */
  get starting(): boolean {
    return this.startingValue;
  }

  /** The agent must be started afresh before the next turn. */
  markDead(): void {
    this.live = false;
  }

  /**
   * Starts (or restarts) the agent if it is not live, resuming the recorded session, and records
   * `session.started`. Returns an error message if it could not start.
   */
  async ensure(): Promise<string | undefined> {
    if (this.live) return undefined;
    const { adapter, agent, publisher, signal } = this.options;
    const generation = ++this.generation;
    let session: AgentSession;
    this.startingValue = true;
    try {
      await adapter.stop().catch(() => {});
      session = await adapter.start({
        cwd: agent.cwd,
        env: agent.env,
        resumeSessionId: this.sessionIdValue,
        onLog: (line) => this.options.logs.push(line),
        onExit: (info) => this.onAgentExit(generation, info),
      });
    } catch (error) {
      if (signal.aborted) return "interrupted: broker stopped";
      const message = `agent failed to start: ${describeError(error)}`;
      await publisher.system(EventType.BrokerError, { message });
      return message;
    } finally {
      this.startingValue = false;
    }
    // stop() came while the agent was starting; it stops the agent once start() has settled.
    if (signal.aborted) return "interrupted: broker stopped";
    this.live = true;
    const wanted = this.sessionIdValue;
    // The agent started another session than the one asked for: it lost the conversation. (An
    // agent that keeps no session at all, like per-turn stdio, answers with the same id.)
    if (wanted !== undefined && session.restoredBy === "new" && session.sessionId !== wanted) {
      this.needsPriming = true;
    }
    this.sessionIdValue = session.sessionId;
    const payload: SessionStartedPayload = {
      protocol: adapter.protocol,
      agent_session_id: session.sessionId,
      restored_by: session.restoredBy,
      ...(session.note === undefined ? {} : { note: session.note }),
      ...(this.needsPriming && { needs_priming: true as const }),
    };
    await publisher.system(EventType.SessionStarted, payload);
    return undefined;
  }

  private onAgentExit(generation: number, info: { code: number | null; signal: string | null }): void {
    // During start() the start's own rejection reports the failure; stale generations are history.
    if (generation !== this.generation || this.startingValue || this.options.signal.aborted) return;
    this.live = false;
    this.options.onExit(`it ${describeExit(info)}`);
  }
}
