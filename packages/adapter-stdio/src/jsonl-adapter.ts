import type {
  AgentAdapter,
  AgentSession,
  AgentStartOptions,
  PermissionRequest,
  TurnInput,
  TurnOutput,
} from "@openaxon/broker";
import { AsyncQueue } from "@openaxon/broker/adapter-kit";
import { type Clock, sleep, systemClock } from "@openaxon/core";
import { type BrokerToAgent, parseAgentLine } from "./jsonl-protocol.js";
import { LineSplitter } from "./line-splitter.js";
import { describeFailure } from "./per-turn-adapter.js";
import {
  exitedAndDrained,
  type GroupedProcess,
  type ProcessExit,
  spawnGroup,
  terminateGroup,
} from "./process-group.js";
import { StderrTail } from "./stderr-tail.js";
import type { StdioAdapterOptions } from "./stdio-options.js";

/** A permission request waits in line with the outputs, so it reaches the axon after what preceded it. */
interface PendingPermission {
  readonly type: "permission_request";
  readonly request: PermissionRequest;
  readonly requestId: string;
}

interface Turn {
  readonly input: TurnInput;
  readonly outputs: AsyncQueue<TurnOutput | PendingPermission>;
}

interface Agent {
  readonly proc: GroupedProcess;
  readonly options: AgentStartOptions;
  readonly tail: StderrTail;
  stopping: boolean;
  /** The session is announced; from here on an exit is a crash the broker must hear about. */
  ready: boolean;
  onSession?: (sessionId: string) => void;
}

/**
 * A long-lived agent speaking JSON lines on stdin/stdout (protocol in README.md and
 * jsonl-protocol.ts). The process keeps its own session across turns; `start` asks it to resume the
 * recorded one. stderr lines are the agent's log.
 */
export class JsonlStdioAdapter implements AgentAdapter {
  readonly protocol = "stdio" as const;
  private readonly clock: Clock;
  private agent: Agent | undefined;
  private turn: Turn | undefined;

  constructor(private readonly options: StdioAdapterOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** The running agent's pid (= its process group id), for diagnostics and tests. */
  get agentPid(): number | undefined {
    return this.agent?.proc.child.pid;
  }

  async start(options: AgentStartOptions): Promise<AgentSession> {
    if (this.agent) throw new Error("jsonl agent is already running");
    const proc = spawnGroup(this.options.agentBinary, this.options.launchArgs ?? [], {
      cwd: options.cwd,
      env: options.env,
    });
    const agent: Agent = {
      proc,
      options,
      tail: new StderrTail(this.options.stderrTailChars),
      stopping: false,
      ready: false,
    };
    this.agent = agent;

    const stdout = new LineSplitter((line) => this.onLine(agent, line));
    const stderr = new LineSplitter((line) => {
      agent.tail.push(line);
      options.onLog(line);
    });
    proc.child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    proc.child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    proc.child.once("close", () => {
      stdout.end();
      stderr.end();
    });

    const announced = new Promise<string>((resolve) => {
      agent.onSession = resolve;
    });
    // Drained, so the error quotes the agent's last stderr lines, not whatever was read by its exit.
    const drained = exitedAndDrained(proc, this.clock);
    const exitedEarly = drained.then((exit) => {
      throw new Error(
        exit.spawnError
          ? `could not start ${this.options.agentBinary}: ${exit.spawnError.message}`
          : `${describeFailure(this.options.agentBinary, exit, agent.tail.toString())} before announcing its session`,
      );
    });
    const timeout = new AbortController();
    const timedOut = sleep(this.clock, this.options.startTimeoutMs ?? 30_000, timeout.signal).then(() => {
      throw new Error(`${this.options.agentBinary} did not announce its session within the start timeout`);
    });
    void drained.then((exit) => this.onExit(agent, exit));

    this.send(agent, {
      type: "start",
      ...(options.resumeSessionId ? { resume_session_id: options.resumeSessionId } : {}),
    });
    let sessionId: string;
    try {
      sessionId = await Promise.race([announced, exitedEarly, timedOut]);
    } catch (error) {
      await this.stop();
      throw error;
    } finally {
      timeout.abort();
      timedOut.catch(() => {});
      exitedEarly.catch(() => {});
    }
    agent.onSession = undefined;
    agent.ready = true;
    const wanted = options.resumeSessionId;
    if (wanted && sessionId === wanted) return { sessionId, restoredBy: "resume" };
    if (wanted) {
      return {
        sessionId,
        restoredBy: "new",
        note: `the agent started a new session instead of resuming ${wanted}`,
      };
    }
    return { sessionId, restoredBy: "new" };
  }

  async *prompt(input: TurnInput): AsyncGenerator<TurnOutput> {
    const agent = this.agent;
    if (!agent || agent.proc.hasExited()) throw new Error("jsonl agent is not running");
    if (this.turn) throw new Error("jsonl agent is already running a turn");
    const turn: Turn = { input, outputs: new AsyncQueue() };
    this.turn = turn;
    try {
      this.send(agent, { type: "prompt", turn_id: input.turnId, content: input.content });
      for (;;) {
        const output = await turn.outputs.next();
        if (output === undefined) return;
        if (output.type === "permission_request") {
          this.askPermission(agent, turn, output);
          continue;
        }
        yield output;
        if (output.type === "completed") return;
      }
    } finally {
      if (this.turn === turn) this.turn = undefined;
    }
  }

  async cancel(): Promise<void> {
    const agent = this.agent;
    const turn = this.turn;
    if (agent && turn) this.send(agent, { type: "cancel", turn_id: turn.input.turnId });
  }

  /** Closes stdin (the agent's cue to exit), then SIGTERM and SIGKILL to its group. */
  async stop(): Promise<void> {
    const agent = this.agent;
    if (!agent) return;
    agent.stopping = true;
    this.turn?.outputs.fail(new Error("jsonl agent was stopped during the turn"));
    agent.proc.child.stdin.end();
    await terminateGroup(agent.proc, {
      clock: this.clock,
      steps: [{ signal: "SIGTERM", graceMs: this.options.terminateGraceMs ?? 2_000 }],
    });
    if (this.agent === agent) this.agent = undefined;
  }

  private onLine(agent: Agent, line: string): void {
    if (line.trim() === "") return;
    const message = parseAgentLine(line);
    if (typeof message === "string") {
      agent.options.onLog(`[jsonl] ignored a line from the agent (${message}): ${line.slice(0, 200)}`);
      return;
    }
    if (message.type === "session") {
      agent.onSession?.(message.sessionId);
      return;
    }
    const turn = this.turn;
    if (!turn || (message.turnId !== undefined && message.turnId !== turn.input.turnId)) {
      agent.options.onLog(`[jsonl] ignored a ${message.type} outside its turn`);
      return;
    }
    switch (message.type) {
      case "output":
        turn.outputs.push(message.output);
        break;
      case "completed":
        turn.outputs.push({ type: "completed", stopReason: message.stopReason });
        turn.outputs.end();
        break;
      case "failed":
        turn.outputs.fail(new Error(message.error));
        break;
      case "permission_request":
        turn.outputs.push({
          type: "permission_request",
          requestId: message.requestId,
          request: { toolCall: message.toolCall, options: message.options },
        });
        break;
    }
  }

  /** Answered whenever the policy decides (ASK may wait minutes); output keeps flowing meanwhile. */
  private askPermission(agent: Agent, turn: Turn, pending: PendingPermission): void {
    const requestId = pending.requestId;
    turn.input
      .requestPermission(pending.request)
      .then((decision) =>
        this.send(
          agent,
          decision.outcome === "selected"
            ? {
                type: "permission_response",
                request_id: requestId,
                outcome: "selected",
                option_id: decision.optionId,
              }
            : { type: "permission_response", request_id: requestId, outcome: "rejected" },
        ),
      )
      .catch((error: unknown) => agent.options.onLog(`[jsonl] permission request failed: ${String(error)}`));
  }

  private onExit(agent: Agent, exit: ProcessExit): void {
    if (agent.stopping) return;
    if (this.agent === agent) this.agent = undefined;
    this.turn?.outputs.fail(
      new Error(`${describeFailure(this.options.agentBinary, exit, agent.tail.toString())} during the turn`),
    );
    if (agent.ready) agent.options.onExit?.({ code: exit.code, signal: exit.signal });
  }

  private send(agent: Agent, message: BrokerToAgent): void {
    const stdin = agent.proc.child.stdin;
    if (agent.proc.hasExited() || stdin.destroyed || stdin.writableEnded) return;
    agent.proc.child.stdin.write(`${JSON.stringify(message)}\n`);
  }
}
