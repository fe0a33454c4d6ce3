import type {
  AgentAdapter,
  AgentSession,
  AgentStartOptions,
  PermissionDecision,
  TurnInput,
  TurnOutput,
} from "@openaxon/broker";
import { type Clock, sleep } from "@openaxon/core";
import type { Action } from "./action.js";
import { decodeScript } from "./agent-script.js";
import { type AgentConfig, configLabel, stamp } from "./handoff-oracle.js";

/** How this run's agents behave (drawn per run). */
export interface AgentBehaviour {
  /** Virtual time an agent process takes to start (a slow start when > 0). */
  readonly startDelayMs: number;
  /** How the agent restores a session it is asked to: ACP `session/resume` or `session/load`. */
  readonly restoreBy: "resume" | "load";
}

/** What the invariants want to hear from the agent side, as it happens. */
export interface AgentWatcher {
  onStart(mount: string, resumeSessionId: string | undefined): void;
  onPrompt(mount: string, turnId: string, activeBefore: number): void;
  onDecision(mount: string, turnId: string, decision: PermissionDecision): void;
  trace(line: string): void;
}

interface AgentProcess {
  readonly id: number;
  alive: boolean;
  starting: boolean;
  inPrompt: boolean;
  cancelRequested: boolean;
  readonly onExit: AgentStartOptions["onExit"];
}

interface StepGate {
  readonly process: AgentProcess;
  readonly label: string;
  readonly resolve: () => void;
}

const never = (): Promise<never> => new Promise<never>(() => {});

/**
 * Everything one mount's agent does, across agent processes, brokers and node restarts. The
 * invariants read it; the scheduler drives it: every step of a turn waits for an `agent step`
 * action, so crashes, cancels and suspends land between any two outputs.
 */
export class AgentHost {
  sessionsCreated = 0;
  processes = 0;
  /** Prompts currently inside a live agent process (the broker must never let this exceed 1). */
  active = 0;
  readonly prompted: string[] = [];
  readonly decisions: Array<{ turnId: string; decision: PermissionDecision }> = [];
  private gates: StepGate[] = [];
  private current: SimAgent | undefined;

  constructor(
    readonly mount: string,
    readonly behaviour: AgentBehaviour,
    readonly watcher: AgentWatcher,
  ) {}

  /** A new adapter for a new broker, on the given process's clock, running as `config` says. */
  adapter(clock: Clock, config: AgentConfig): SimAgent {
    this.current = new SimAgent(this, clock, config);
    return this.current;
  }

  /** Agent steps waiting to happen. */
  actions(): Action[] {
    this.gates = this.gates.filter((g) => g.process.alive);
    return this.gates.map((gate) => ({
      label: `agent ${this.mount} ${gate.label}`,
      run: () => {
        this.gates.splice(this.gates.indexOf(gate), 1);
        gate.resolve();
      },
    }));
  }

  /** Kills the agent process as if it crashed (SIGKILL), also while it starts. What it hit, if anything. */
  crashAgent(): "running" | "starting" | undefined {
    return this.current?.crash();
  }

  /** The node died: its agents die silently with it (no broker is left to hear). */
  nodeDied(): void {
    this.current?.die();
    this.current = undefined;
  }

  /** An agent process is alive (running, or still starting). */
  get agentAlive(): boolean {
    return this.current?.alive ?? false;
  }

  /** @internal */
  gate(process: AgentProcess, label: string): Promise<void> {
    return new Promise((resolve) => this.gates.push({ process, label, resolve }));
  }
}

/**
 * The simulation's AgentAdapter: runs the script carried in each prompt, one step per scheduler
 * action, and records what the broker asked of it (starts with their resume session ids, prompts,
 * permission decisions) for the invariants.
 */
export class SimAgent implements AgentAdapter {
  readonly protocol = "acp" as const;
  private process: AgentProcess | undefined;
  private dead = false;

  constructor(
    private readonly host: AgentHost,
    private readonly clock: Clock,
    /** Stamped into every output and session note, so the log tells which agent wrote what. */
    private readonly config: AgentConfig,
  ) {}

  get alive(): boolean {
    return this.process?.alive === true && !this.dead;
  }

  async start(options: AgentStartOptions): Promise<AgentSession> {
    if (this.dead) return never();
    const host = this.host;
    const process: AgentProcess = {
      id: ++host.processes,
      alive: true,
      starting: true,
      inPrompt: false,
      cancelRequested: false,
      onExit: options.onExit,
    };
    this.process = process;
    host.watcher.onStart(host.mount, options.resumeSessionId);
    host.watcher.trace(
      `agent ${host.mount} start #${process.id} [${configLabel(this.config)}]${options.resumeSessionId ? ` resume=${options.resumeSessionId}` : " fresh"}`,
    );
    if (host.behaviour.startDelayMs > 0) await sleep(this.clock, host.behaviour.startDelayMs);
    if (this.dead) return never();
    if (!process.alive) throw new Error("agent process exited during start (killed by SIGKILL)");
    process.starting = false;
    const note = stamp(this.config);
    if (options.resumeSessionId) {
      return { sessionId: options.resumeSessionId, restoredBy: host.behaviour.restoreBy, note };
    }
    return { sessionId: `sess_${host.mount}_${++host.sessionsCreated}`, restoredBy: "new", note };
  }

  async *prompt(input: TurnInput): AsyncGenerator<TurnOutput> {
    const process = this.process;
    if (!process?.alive || process.starting || this.dead) throw new Error("agent not running");
    const host = this.host;
    host.watcher.onPrompt(host.mount, input.turnId, host.active);
    host.prompted.push(input.turnId);
    host.active++;
    process.inPrompt = true;
    process.cancelRequested = false;
    const text = typeof input.content === "string" ? input.content : "";
    const script = decodeScript(text);
    let stubborn = false;
    try {
      for (let i = 0; i <= script.steps.length; i++) {
        const step = script.steps[i];
        await this.step(process, `${input.turnId} ${step ?? `end:${script.stopReason}`}`);
        if (process.cancelRequested && !stubborn) {
          yield { type: "completed", stopReason: "cancelled" };
          return;
        }
        const id = `${input.turnId}_${i}`;
        switch (step) {
          case undefined:
            yield { type: "completed", stopReason: script.stopReason };
            return;
          case "chunk":
            yield { type: "message_chunk", text: `chunk ${i} ${stamp(this.config)}` };
            break;
          case "thought":
            yield { type: "thought_chunk", text: `thought ${i} ${stamp(this.config)}` };
            break;
          case "plan":
            yield { type: "plan", entries: [{ content: `step ${i}`, status: "pending" }] };
            break;
          case "tool":
            yield {
              type: "tool_call",
              toolCallId: id,
              title: `read ${i} ${stamp(this.config)}`,
              kind: "read",
              status: "pending",
            };
            yield { type: "tool_call_update", toolCallId: id, status: "completed", output: `ok ${i}` };
            break;
          case "ask": {
            const toolCall = { toolCallId: id, title: `write ${i}`, kind: "edit", status: "pending" };
            yield { type: "tool_call", ...toolCall };
            const decision = await input.requestPermission({
              toolCall,
              options: [
                { optionId: "allow", name: "Allow", kind: "allow_once" },
                { optionId: "always", name: "Always allow", kind: "allow_always" },
                { optionId: "reject", name: "Reject", kind: "reject_once" },
              ],
            });
            if (!process.alive) return await never();
            host.decisions.push({ turnId: input.turnId, decision });
            host.watcher.onDecision(host.mount, input.turnId, decision);
            const allowed = decision.outcome === "selected" && decision.optionId !== "reject";
            yield { type: "tool_call_update", toolCallId: id, status: allowed ? "completed" : "failed" };
            break;
          }
          case "throw":
            throw new Error(`scripted failure at step ${i}`);
          case "crash":
            this.kill(process, true);
            return await never();
          case "stubborn":
            stubborn = true;
            break;
        }
      }
    } finally {
      this.leavePrompt(process);
    }
  }

  async cancel(): Promise<void> {
    if (this.process?.inPrompt) this.process.cancelRequested = true;
  }

  async stop(): Promise<void> {
    if (this.process) this.kill(this.process, false);
  }

  /**
   * @internal CrashAgent: the process dies on its own; the broker hears through onExit, or (while
   * it starts) through start() failing.
   */
  crash(): "running" | "starting" | undefined {
    const process = this.process;
    if (!process?.alive || this.dead) return undefined;
    const when = process.starting ? "starting" : "running";
    this.kill(process, true);
    return when;
  }

  /** @internal the node died */
  die(): void {
    this.dead = true;
    if (this.process) this.kill(this.process, false);
  }

  private async step(process: AgentProcess, label: string): Promise<void> {
    await this.host.gate(process, label);
    // A process killed while waiting never takes another step.
    if (!process.alive) await never();
  }

  private kill(process: AgentProcess, reportExit: boolean): void {
    if (!process.alive) return;
    process.alive = false;
    this.leavePrompt(process);
    this.host.watcher.trace(
      `agent ${this.host.mount} process #${process.id} ${reportExit ? "crashed" : "stopped"}`,
    );
    if (reportExit && !process.starting) process.onExit?.({ code: null, signal: "SIGKILL" });
  }

  private leavePrompt(process: AgentProcess): void {
    if (!process.inPrompt) return;
    process.inPrompt = false;
    this.host.active--;
  }
}
