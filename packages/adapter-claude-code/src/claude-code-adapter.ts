import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import type {
  AgentAdapter,
  AgentLaunch,
  AgentSession,
  AgentStartOptions,
  PermissionDecision,
  TurnInput,
  TurnOutput,
} from "@openaxon/broker";
import {
  AgentProcess,
  AsyncQueue,
  describeExit,
  type ExitInfo,
  StderrLines,
} from "@openaxon/broker/adapter-kit";
import { launchOptionArgs } from "./launch-options.js";
import { stopReasonOf, turnOutputsOf } from "./message-mapping.js";
import { permissionRequestOf, permissionResultOf } from "./permission-mapping.js";
import {
  type CanUseToolRequest,
  type ControlRequest,
  type ControlResponse,
  controlError,
  controlRequest,
  controlSuccess,
  parseStdoutLine,
  type ResultMessage,
  type StdoutMessage,
  userMessage,
} from "./stream-json.js";

export interface ClaudeCodeAdapterOptions {
  /** How long stop() waits after SIGTERM before killing the process group. Default 2000 ms. */
  readonly stopGraceMs?: number;
}

/** The flags that put Claude Code into its SDK mode: JSON lines both ways, permissions asked on stdio. */
export const STREAM_JSON_ARGS: readonly string[] = [
  "-p",
  "--input-format",
  "stream-json",
  "--output-format",
  "stream-json",
  "--verbose",
  "--include-partial-messages",
  "--permission-prompt-tool",
  "stdio",
];

/** Used when the mount names no binary. */
const DEFAULT_BINARY = "claude";

/** One started Claude Code process. A restart makes a new one. */
interface Running {
  readonly process: AgentProcess;
  readonly sessionId: string;
  readonly onLog: (line: string) => void;
  stopping: boolean;
  /** start() resolved: from now on an exit is a crash reported through onExit. */
  started: boolean;
  readonly stderrTail: StderrLines;
  /** Our control requests (initialize, interrupt) awaiting Claude Code's control_response. */
  readonly pendingControl: Map<string, PendingControl>;
  /** Claude Code's can_use_tool requests still being decided; aborted by control_cancel_request. */
  readonly pendingPermissions: Map<string, AbortController>;
  /** A `result` that arrived outside a turn, e.g. Claude Code refusing to resume a session. */
  strayResult?: ResultMessage;
}

interface PendingControl {
  readonly subtype: string;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

class ActiveTurn {
  readonly queue = new AsyncQueue<TurnOutput>();
  readonly seenToolCalls = new Set<string>();
  cancelled = false;

  constructor(readonly input: TurnInput) {}
}

/**
 * Drives Claude Code in its own stream-json mode (the protocol its Agent SDK speaks): user turns
 * in on stdin, partial messages, tool calls, permission requests and results out on stdout.
 * Sessions are restored with `--resume <session id>`.
 */
export class ClaudeCodeAdapter implements AgentAdapter {
  readonly protocol = "claude-code" as const;
  private running: Running | undefined;
  private turn: ActiveTurn | undefined;
  private controlCounter = 0;

  constructor(
    private readonly launch: AgentLaunch,
    private readonly options: ClaudeCodeAdapterOptions = {},
  ) {}

  /** The Claude Code process id (its process group id too) while it runs. */
  get agentPid(): number | undefined {
    return this.running?.process.exit ? undefined : this.running?.process.pid;
  }

  async start(options: AgentStartOptions): Promise<AgentSession> {
    await this.stop();
    const resumeId = options.resumeSessionId;
    if (resumeId === undefined) return this.spawn(options, randomUUID(), false);
    try {
      return await this.spawn(options, resumeId, true);
    } catch (error) {
      // Claude Code exits when it has no such conversation (its HOME was wiped, another machine…).
      const session = await this.spawn(options, randomUUID(), false);
      const reason = error instanceof Error ? error.message : String(error);
      return { ...session, note: `Session could not be restored: ${reason}; started a new one.` };
    }
  }

  private async spawn(options: AgentStartOptions, sessionId: string, resume: boolean): Promise<AgentSession> {
    const stderrTail = new StderrLines();
    const args = [
      ...this.launch.launchArgs,
      ...STREAM_JSON_ARGS,
      ...(resume ? ["--resume", sessionId] : ["--session-id", sessionId]),
      ...launchOptionArgs(this.launch),
    ];
    const process = AgentProcess.spawn({
      binary: this.launch.agentBinary || DEFAULT_BINARY,
      args,
      cwd: options.cwd,
      env: options.env,
      onStderrLine: (line) => {
        stderrTail.push(line);
        options.onLog(line);
      },
    });
    const running: Running = {
      process,
      sessionId,
      onLog: options.onLog,
      stopping: false,
      started: false,
      stderrTail,
      pendingControl: new Map(),
      pendingPermissions: new Map(),
    };
    this.running = running;
    createInterface({ input: process.child.stdout, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (line) =>
      this.onLine(running, line),
    );
    void process.exited.then((info) => this.onExit(running, info, options));

    try {
      // The SDK opens every session with `initialize`; its answer proves Claude Code is up.
      await this.sendControl(running, { subtype: "initialize" });
    } catch (error) {
      await this.stop();
      throw error;
    }
    running.started = true;
    return { sessionId, restoredBy: resume ? "cli-resume" : "new" };
  }

  async *prompt(input: TurnInput): AsyncIterable<TurnOutput> {
    const running = this.running;
    if (!running) throw new Error("Claude Code is not started");
    if (running.process.exit) throw new Error(`Claude Code ${describeExit(running.process.exit)}`);
    if (this.turn) throw new Error("A turn is already running");
    const turn = new ActiveTurn(input);
    this.turn = turn;
    write(running, userMessage(input.content));
    try {
      yield* turn.queue;
    } finally {
      if (!turn.queue.closed) {
        // The consumer stopped reading: interrupt, and wait for the turn's result so that it
        // cannot be taken for the next turn's.
        await this.cancel();
        for await (const _ of turn.queue) {
          // drained
        }
      }
      if (this.turn === turn) this.turn = undefined;
    }
  }

  async cancel(): Promise<void> {
    const turn = this.turn;
    const running = this.running;
    if (!turn || turn.cancelled || !running) return;
    turn.cancelled = true;
    // Claude Code stops the turn and still ends it with a `result`, which completes it as cancelled.
    await this.sendControl(running, { subtype: "interrupt" }).catch(() => undefined);
  }

  async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    running.stopping = true;
    this.turn?.queue.fail(new Error("Claude Code was stopped during the turn"));
    await running.process.stop(this.options.stopGraceMs);
    if (this.running === running) this.running = undefined;
  }

  private onLine(running: Running, line: string): void {
    const message = parseStdoutLine(line);
    if (!message || running !== this.running) return;
    switch (message.type) {
      case "control_response":
        this.onControlResponse(running, message);
        return;
      case "control_request":
        void this.onControlRequest(running, message);
        return;
      case "control_cancel_request":
        running.pendingPermissions.get(message.request_id)?.abort();
        return;
      case "result":
        this.onResult(running, message);
        return;
      case "system":
        // The session id is chosen up front (--session-id / --resume); say so if Claude Code differs.
        if (message.subtype === "init" && message.session_id && message.session_id !== running.sessionId) {
          running.onLog(`Claude Code reports session ${message.session_id}, expected ${running.sessionId}`);
        }
        return;
      default:
        this.onTurnMessage(message);
    }
  }

  private onTurnMessage(message: StdoutMessage): void {
    const turn = this.turn;
    if (!turn) return;
    for (const output of turnOutputsOf(message, turn.seenToolCalls)) turn.queue.push(output);
  }

  private onResult(running: Running, result: ResultMessage): void {
    const turn = this.turn;
    if (!turn) {
      running.strayResult = result;
      return;
    }
    try {
      turn.queue.push({ type: "completed", stopReason: stopReasonOf(result, turn.cancelled) });
      turn.queue.end();
    } catch (error) {
      turn.queue.fail(error);
    }
  }

  private onControlResponse(running: Running, message: ControlResponse): void {
    const { response } = message;
    const pending = running.pendingControl.get(response.request_id);
    if (!pending) return;
    running.pendingControl.delete(response.request_id);
    if (response.subtype === "success") pending.resolve();
    else pending.reject(new Error(`Claude Code refused the control request: ${response.error}`));
  }

  private async onControlRequest(running: Running, message: ControlRequest): Promise<void> {
    const { request_id: id, request } = message;
    if (request.subtype !== "can_use_tool") {
      // Hooks and SDK MCP servers are never registered, so Claude Code has no reason to call them.
      write(running, controlError(id, `Unsupported control request: ${request.subtype}`));
      return;
    }
    const toolRequest = request as CanUseToolRequest;
    const turn = this.turn;
    if (!turn) {
      write(running, controlError(id, "No turn is running"));
      return;
    }
    const abort = new AbortController();
    running.pendingPermissions.set(id, abort);
    const withdrawn = new Promise<"withdrawn">((resolve) => {
      abort.signal.addEventListener("abort", () => resolve("withdrawn"), { once: true });
    });
    try {
      // Ask only once the broker has the outputs that came before this request (its tool_call).
      await Promise.race([turn.queue.handled(), withdrawn]);
      if (abort.signal.aborted || turn.cancelled) return;
      const decision: PermissionDecision | "withdrawn" = await Promise.race([
        turn.input.requestPermission(permissionRequestOf(toolRequest)),
        withdrawn,
      ]);
      // Once the turn is cancelled, the interrupt withdraws every pending request. Claude Code
      // takes an answer to a withdrawn request as new input and would start another turn.
      if (decision === "withdrawn" || turn.cancelled) return;
      write(running, controlSuccess(id, { ...permissionResultOf(decision, toolRequest) }));
    } catch (error) {
      if (turn.cancelled || abort.signal.aborted) return;
      // No decision means no permission.
      const reason = error instanceof Error ? error.message : String(error);
      const deny = { behavior: "deny", message: `Permission could not be obtained: ${reason}` };
      write(running, controlSuccess(id, { ...deny, toolUseID: toolRequest.tool_use_id }));
    } finally {
      running.pendingPermissions.delete(id);
    }
  }

  /** Sends a control request; resolves on its success response, rejects on an error or exit. */
  private sendControl(running: Running, request: { subtype: string }): Promise<void> {
    this.controlCounter += 1;
    const id = `openaxon-${this.controlCounter}`;
    return new Promise<void>((resolve, reject) => {
      running.pendingControl.set(id, { subtype: request.subtype, resolve, reject });
      write(running, controlRequest(id, request));
    });
  }

  private async onExit(running: Running, info: ExitInfo, options: AgentStartOptions): Promise<void> {
    // Let the last stdout lines (a `result` explaining the exit) arrive first, but not for long:
    // a background child holding the pipe open would keep it from closing.
    await Promise.race([running.process.closed, new Promise((resolve) => setTimeout(resolve, 500))]);
    for (const pending of running.pendingControl.values()) {
      pending.reject(exitError(running, info, `its ${pending.subtype} request`));
    }
    running.pendingControl.clear();
    if (running.stopping) return;
    if (this.running === running) this.turn?.queue.fail(exitError(running, info, "the turn"));
    // An exit during start() is reported by start() rejecting (or by the note of a failed resume).
    if (running.started) options.onExit?.({ code: info.code, signal: info.signal });
  }
}

function write(running: Running, message: Record<string, unknown>): void {
  running.process.child.stdin.write(`${JSON.stringify(message)}\n`);
}

function exitError(running: Running, info: ExitInfo, during: string): Error {
  const said = running.strayResult?.errors?.join("; ") || running.strayResult?.result;
  const tail = running.stderrTail.suffix();
  return new Error(`Claude Code ${describeExit(info)} during ${during}${said ? ` (${said})` : ""}${tail}`);
}

export function createClaudeCodeAdapter(launch: AgentLaunch, options: ClaudeCodeAdapterOptions = {}) {
  return new ClaudeCodeAdapter(launch, options);
}
