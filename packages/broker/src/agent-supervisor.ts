import { EventType, type SessionStartedPayload } from "@openaxon/protocol/vocabulary";
import type { AgentAdapter, AgentSession } from "./agent-adapter.js";
import type { AgentLogCoalescer } from "./agent-log-coalescer.js";
import { describeError, describeExit } from "./describe.js";
import type { EventPublisher } from "./event-publisher.js";
import type { SessionRequest } from "./turn-queue.js";

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

  /** A session.load that failed, reported once by the next turn (which then fails). */
  private sessionRefusal: string | undefined;
  /** The session a client asked to load, checked at the next start. */
  private requestedSession: string | undefined;

  /**
   * `session.new` / `session.load`: restarts the agent in a fresh session or the named one (at a
   * turn boundary: the turn loop calls this between turns). No priming: the client chose.
   */
  async switchSession(request: SessionRequest | { readonly invalid: string }): Promise<void> {
    this.needsPriming = false;
    this.sessionRefusal = undefined;
    if ("invalid" in request) {
      this.sessionRefusal = request.invalid;
      return;
    }
    this.live = false;
    this.sessionIdValue = request.kind === "load" ? request.sessionId : undefined;
    this.requestedSession = request.kind === "load" ? request.sessionId : undefined;
    await this.ensure();
  }

  /** Why the session a client asked for is not the one the agent runs, once; undefined if it is. */
  takeSessionRefusal(): string | undefined {
    const refusal = this.sessionRefusal;
    this.sessionRefusal = undefined;
    return refusal;
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
    const requested = this.requestedSession;
    this.requestedSession = undefined;
    const lost = wanted !== undefined && session.restoredBy === "new" && session.sessionId !== wanted;
    if (requested !== undefined) {
      // A client asked for this session: not having it is an error for them, not a hand-off.
      if (lost) {
        this.sessionRefusal = `session.load: the agent could not load session ${requested}${session.note ? ` (${session.note})` : ""}; it started session ${session.sessionId} instead`;
      }
    } else if (lost) {
      // The agent started another session than the one asked for: it lost the conversation. (An
      // agent that keeps no session at all, like per-turn stdio, answers with the same id.)
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
