import { randomUUID } from "node:crypto";
import type { AgentAdapter, AgentSession, AgentStartOptions, TurnInput, TurnOutput } from "@openaxon/broker";
import { AsyncQueue, describeExit, findExecutable } from "@openaxon/broker/adapter-kit";
import { type Clock, systemClock } from "@openaxon/core";
import { LineSplitter } from "./line-splitter.js";
import { type GroupedProcess, type ProcessExit, spawnGroup, terminateGroup } from "./process-group.js";
import { promptText } from "./prompt-text.js";
import { StderrTail } from "./stderr-tail.js";
import type { StdioAdapterOptions } from "./stdio-options.js";

interface RunningTurn {
  readonly proc: GroupedProcess;
  cancelled: boolean;
  stopped: boolean;
  terminating?: Promise<ProcessExit>;
}

/**
 * Any CLI as an agent, one process per turn: the prompt goes to stdin (then EOF), every stdout line
 * is a `message_chunk`, exit 0 ends the turn, anything else fails it with the exit status and the
 * tail of stderr. The process leads its own group, and the group is killed when the turn ends, so
 * nothing a turn started survives it.
 *
 * A plain CLI has no session. The adapter keeps one stable id per mount (the resumed one, or a new
 * uuid) only so the axon's `session.started` has something to say; nothing is restored.
 */
export class PerTurnStdioAdapter implements AgentAdapter {
  readonly protocol = "stdio" as const;
  private readonly clock: Clock;
  private readonly args: readonly string[];
  private started: AgentStartOptions | undefined;
  private current: RunningTurn | undefined;

  constructor(private readonly options: StdioAdapterOptions) {
    this.clock = options.clock ?? systemClock;
    this.args = options.launchArgs ?? [];
  }

  async start(options: AgentStartOptions): Promise<AgentSession> {
    await findExecutable(this.options.agentBinary, options.cwd, options.env);
    this.started = options;
    if (options.resumeSessionId) {
      return {
        sessionId: options.resumeSessionId,
        restoredBy: "new",
        note: "stdio agents keep no session: every turn is a fresh process; the id only labels the mount",
      };
    }
    return { sessionId: `stdio_${randomUUID()}`, restoredBy: "new" };
  }

  async *prompt(input: TurnInput): AsyncGenerator<TurnOutput> {
    const started = this.started;
    if (!started) throw new Error("stdio agent is not started");
    if (this.current) throw new Error("stdio agent is already running a turn");

    const proc = spawnGroup(this.options.agentBinary, this.args, { cwd: started.cwd, env: started.env });
    const turn: RunningTurn = { proc, cancelled: false, stopped: false };
    this.current = turn;
    const tail = new StderrTail(this.options.stderrTailChars);
    const chunks = new AsyncQueue<TurnOutput>({
      highWater: 256,
      onPressure: (full) => (full ? proc.child.stdout.pause() : proc.child.stdout.resume()),
    });
    const stdout = new LineSplitter((line, terminated) =>
      chunks.push({ type: "message_chunk", text: terminated ? `${line}\n` : line }),
    );
    const stderr = new LineSplitter((line) => {
      tail.push(line);
      started.onLog(line);
    });
    proc.child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    proc.child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    // "close" comes after the process exited and its pipes are drained: all output is in.
    proc.child.once("close", () => {
      stdout.end();
      stderr.end();
      chunks.end();
    });
    proc.exited.then((exit) => {
      if (exit.spawnError) chunks.end();
      // Output still buffered in the pipe survives; what a leftover grandchild holds open must not
      // keep the turn (and its "close") waiting.
      else this.killLeftovers(turn);
    });
    proc.child.stdin.end(promptText(input.content));

    try {
      for (;;) {
        const chunk = await chunks.next();
        if (chunk === undefined) break;
        yield chunk;
      }
      const exit = await proc.exited;
      if (exit.spawnError)
        throw new Error(`could not start ${this.options.agentBinary}: ${exit.spawnError.message}`);
      if (turn.cancelled) {
        yield { type: "completed", stopReason: "cancelled" };
        return;
      }
      if (turn.stopped) throw new Error("stdio agent was stopped during the turn");
      if (exit.code === 0) {
        yield { type: "completed", stopReason: "end_turn" };
        return;
      }
      throw new Error(describeFailure(this.options.agentBinary, exit, tail.toString()));
    } finally {
      if (!proc.hasExited()) await this.terminate(turn, false);
      else this.killLeftovers(turn);
      if (this.current === turn) this.current = undefined;
    }
  }

  /** SIGINT to the turn's process group, then SIGTERM, then SIGKILL; the turn completes as cancelled. */
  async cancel(): Promise<void> {
    const turn = this.current;
    if (!turn || turn.proc.hasExited()) return;
    turn.cancelled = true;
    void this.terminate(turn, true);
  }

  async stop(): Promise<void> {
    const turn = this.current;
    this.started = undefined;
    if (!turn) return;
    turn.stopped = true;
    await this.terminate(turn, false);
  }

  private terminate(turn: RunningTurn, interruptFirst: boolean): Promise<ProcessExit> {
    const interrupt = this.options.interruptGraceMs ?? 2_000;
    const term = this.options.terminateGraceMs ?? 2_000;
    turn.terminating ??= terminateGroup(turn.proc, {
      clock: this.clock,
      steps: [
        ...(interruptFirst ? [{ signal: "SIGINT" as const, graceMs: interrupt }] : []),
        { signal: "SIGTERM", graceMs: term },
      ],
    });
    return turn.terminating;
  }

  private killLeftovers(turn: RunningTurn): void {
    turn.terminating ??= terminateGroup(turn.proc, { clock: this.clock, steps: [] });
  }
}

export function describeFailure(binary: string, exit: ProcessExit, stderrTail: string): string {
  const status = describeExit(exit);
  return stderrTail === "" ? `${binary} ${status}` : `${binary} ${status}; stderr:\n${stderrTail}`;
}
