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
import { stopReasonOf, turnOutputsOf } from "./event-mapping.js";
import { JsonlReader } from "./jsonl-reader.js";
import { piArgs } from "./launch-args.js";
import {
  dialogResponseOf,
  dismissedDialog,
  permissionRequestOf,
  permissionToolCallId,
} from "./permission-mapping.js";
import {
  DIALOG_METHODS,
  type ExtensionUiRequest,
  type PiEvent,
  type PiResponse,
  parseRecord,
  promptCommand,
} from "./rpc-protocol.js";
import { restorableSessionId, sessionOf } from "./session-state.js";

export interface PiAdapterOptions {
  /** How long stop() waits after SIGTERM before killing the process group. Default 2000 ms. */
  readonly stopGraceMs?: number;
}

/** Used when the mount names no binary. */
const DEFAULT_BINARY = "pi";

type ToolCallOutput = Extract<TurnOutput, { type: "tool_call" }>;

/** One started Pi process. A restart makes a new one. */
interface Running {
  readonly process: AgentProcess;
  readonly onLog: (line: string) => void;
  stopping: boolean;
  /** start() resolved: from now on an exit is a crash reported through onExit. */
  started: boolean;
  readonly stderrTail: StderrLines;
  /** Our commands awaiting Pi's `response`, by id. */
  readonly pending: Map<string, PendingCommand>;
}

interface PendingCommand {
  readonly command: string;
  readonly resolve: (data: unknown) => void;
  readonly reject: (error: Error) => void;
}

class ActiveTurn {
  readonly queue = new AsyncQueue<TurnOutput>();
  /** Tool calls reported running (see turnOutputsOf). */
  readonly running = new Set<string>();
  /** This turn's tool calls, for the permission dialogs that name them. */
  readonly toolCalls = new Map<string, ToolCallOutput>();
  cancelled = false;

  constructor(readonly input: TurnInput) {}
}

/**
 * Drives Pi (`@mariozechner/pi-coding-agent`) in its RPC mode: prompts and `abort` in on stdin,
 * agent events out on stdout, permission dialogs through the gate extension the adapter loads.
 * Sessions are Pi's own JSONL files (under its agent dir), reopened with `--session <id>`.
 */
export class PiAdapter implements AgentAdapter {
  readonly protocol = "pi" as const;
  private running: Running | undefined;
  private turn: ActiveTurn | undefined;
  private commandCounter = 0;

  constructor(
    private readonly launch: AgentLaunch,
    private readonly options: PiAdapterOptions = {},
  ) {}

  /** The Pi process id (its process group id too) while it runs. */
  get agentPid(): number | undefined {
    return this.running?.process.exit ? undefined : this.running?.process.pid;
  }

  async start(options: AgentStartOptions): Promise<AgentSession> {
    if ((this.launch.mcpServers ?? []).length > 0) {
      // Pi has no MCP client by design; silently dropping the servers would hide their tools.
      throw new Error(
        "Pi has no MCP support: remove the mount's mcp_servers, or give Pi an MCP extension in its own configuration",
      );
    }
    await this.stop();
    const asked = options.resumeSessionId;
    if (asked === undefined) return this.spawn(options, undefined);
    const resumeId = restorableSessionId(asked);
    if (resumeId === undefined) {
      const session = await this.spawn(options, undefined);
      return {
        ...session,
        note: `Session ${JSON.stringify(asked)} is not a Pi session id; started a new one.`,
      };
    }
    try {
      return await this.spawn(options, resumeId);
    } catch (error) {
      // Pi exits when it has no such session (none was saved yet, its agent dir was wiped, …).
      const session = await this.spawn(options, undefined);
      const reason = error instanceof Error ? error.message : String(error);
      return { ...session, note: `Session could not be restored: ${reason}; started a new one.` };
    }
  }

  private async spawn(options: AgentStartOptions, resumeId: string | undefined): Promise<AgentSession> {
    const stderrTail = new StderrLines();
    const process = AgentProcess.spawn({
      binary: this.launch.agentBinary || DEFAULT_BINARY,
      args: [...this.launch.launchArgs, ...piArgs(this.launch, resumeId)],
      cwd: options.cwd,
      env: options.env,
      onStderrLine: (line) => {
        stderrTail.push(line);
        options.onLog(line);
      },
    });
    const running: Running = {
      process,
      onLog: options.onLog,
      stopping: false,
      started: false,
      stderrTail,
      pending: new Map(),
    };
    this.running = running;
    const reader = new JsonlReader((line) => this.onLine(running, line));
    process.child.stdout.on("data", (chunk: Buffer) => reader.push(chunk));
    process.child.stdout.on("end", () => reader.end());
    void process.exited.then((info) => this.onExit(running, info, options));

    try {
      // The first answer proves Pi is up, and names the session it opened.
      const session = sessionOf(await this.send(running, { type: "get_state" }));
      running.started = true;
      if (resumeId !== undefined && session.sessionId !== resumeId) {
        options.onLog(`Pi opened session ${session.sessionId}, expected ${resumeId}`);
      }
      return { sessionId: session.sessionId, restoredBy: resumeId === undefined ? "new" : "cli-resume" };
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  async *prompt(input: TurnInput): AsyncIterable<TurnOutput> {
    const running = this.running;
    if (!running) throw new Error("Pi is not started");
    if (running.process.exit) throw new Error(`Pi ${describeExit(running.process.exit)}`);
    if (this.turn) throw new Error("A turn is already running");
    const turn = new ActiveTurn(input);
    this.turn = turn;
    this.send(running, promptCommand(this.nextId(), input.content)).catch((error: unknown) =>
      turn.queue.fail(error),
    );
    try {
      yield* turn.queue;
    } finally {
      if (!turn.queue.closed) {
        // The consumer stopped reading: abort, and wait for the run's end so that it cannot be
        // taken for the next turn's.
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
    // Pi aborts the model request or tool, withdraws open dialogs, and still ends the run with
    // `agent_end`, which completes the turn as cancelled.
    await this.send(running, { type: "abort" }).catch(() => undefined);
  }

  async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    running.stopping = true;
    this.turn?.queue.fail(new Error("Pi was stopped during the turn"));
    await running.process.stop(this.options.stopGraceMs);
    if (this.running === running) this.running = undefined;
  }

  private onLine(running: Running, line: string): void {
    const record = parseRecord(line);
    if (!record || running !== this.running) return;
    switch (record.type) {
      case "response":
        this.onResponse(running, record as PiResponse);
        return;
      case "extension_ui_request":
        void this.onExtensionUi(running, record as ExtensionUiRequest);
        return;
      case "agent_end":
        this.onAgentEnd(record as Extract<PiEvent, { type: "agent_end" }>);
        return;
      case "auto_retry_start":
      case "auto_retry_end":
      case "compaction_start":
      case "compaction_end":
      case "extension_error":
        // Pi's own recoveries and extension failures: worth a line in the agent log.
        running.onLog(`pi ${record.type}: ${line.slice(0, 500)}`);
        return;
      default:
        this.onTurnEvent(record as PiEvent);
    }
  }

  private onTurnEvent(event: PiEvent): void {
    const turn = this.turn;
    if (!turn) return;
    for (const output of turnOutputsOf(event, turn.running)) {
      if (output.type === "tool_call") turn.toolCalls.set(output.toolCallId, output);
      turn.queue.push(output);
    }
  }

  private onAgentEnd(event: Extract<PiEvent, { type: "agent_end" }>): void {
    const turn = this.turn;
    if (!turn) return;
    try {
      turn.queue.push({ type: "completed", stopReason: stopReasonOf(event.messages, turn.cancelled) });
      turn.queue.end();
    } catch (error) {
      turn.queue.fail(error);
    }
  }

  private onResponse(running: Running, response: PiResponse): void {
    if (response.id === undefined) return;
    const pending = running.pending.get(response.id);
    if (!pending) return;
    running.pending.delete(response.id);
    if (response.success) pending.resolve(response.data);
    else pending.reject(new Error(`Pi refused ${pending.command}: ${response.error ?? "no reason given"}`));
  }

  private async onExtensionUi(running: Running, request: ExtensionUiRequest): Promise<void> {
    if (!DIALOG_METHODS.has(request.method)) {
      if (request.method === "notify") running.onLog(`pi notify: ${request.message ?? ""}`);
      return;
    }
    const toolCallId = permissionToolCallId(request);
    if (toolCallId === undefined) {
      // Another extension's dialog: there is nobody to show it to.
      running.onLog(`pi dismissed an extension dialog: ${request.title ?? request.method}`);
      write(running, dismissedDialog(request.id));
      return;
    }
    const turn = this.turn;
    const toolCall = turn?.toolCalls.get(toolCallId);
    if (!turn || !toolCall) {
      write(running, dialogResponseOf(request.id, { outcome: "rejected" }));
      return;
    }
    let decision: PermissionDecision;
    try {
      // Ask only once the broker has the outputs that came before this request (its tool_call).
      await turn.queue.handled();
      if (turn.cancelled) return; // Pi withdrew the dialog when it aborted.
      decision = await turn.input.requestPermission(permissionRequestOf(toolCall));
    } catch (error) {
      // No decision means no permission.
      const reason = error instanceof Error ? error.message : String(error);
      running.onLog(`Permission for ${toolCall.title} could not be obtained: ${reason}`);
      decision = { outcome: "rejected" };
    }
    if (turn.cancelled) return;
    write(running, dialogResponseOf(request.id, decision));
  }

  /** Sends a command; resolves with its response's data, rejects on a failure response or exit. */
  private send(running: Running, command: Record<string, unknown>): Promise<unknown> {
    const id = typeof command.id === "string" ? command.id : this.nextId();
    const type = String(command.type);
    return new Promise((resolve, reject) => {
      if (running.process.exit) {
        reject(exitError(running, running.process.exit, `its ${type} command`));
        return;
      }
      running.pending.set(id, { command: type, resolve, reject });
      write(running, { ...command, id });
    });
  }

  private nextId(): string {
    this.commandCounter += 1;
    return `openaxon-${this.commandCounter}`;
  }

  private async onExit(running: Running, info: ExitInfo, options: AgentStartOptions): Promise<void> {
    // Let the last stdout lines arrive first, but not for long: a background child holding the
    // pipe open would keep it from closing.
    await Promise.race([running.process.closed, new Promise((resolve) => setTimeout(resolve, 500))]);
    for (const pending of running.pending.values()) {
      pending.reject(exitError(running, info, `its ${pending.command} command`));
    }
    running.pending.clear();
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
  return new Error(`Pi ${describeExit(info)} during ${during}${running.stderrTail.suffix()}`);
}

export function createPiAdapter(launch: AgentLaunch, options: PiAdapterOptions = {}): PiAdapter {
  return new PiAdapter(launch, options);
}
