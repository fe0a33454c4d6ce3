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
  describeError,
  describeExit,
  type ExitInfo,
  StderrLines,
} from "@openaxon/broker/adapter-kit";
import type {
  CommandApprovalParams,
  DeltaNotification,
  ErrorNotification,
  FileChangeApprovalParams,
  ItemNotification,
  PlanNotification,
  ThreadParams,
  ThreadResponse,
  TurnNotification,
  TurnStartResponse,
} from "./app-server-protocol.js";
import {
  approvalResponseOf,
  COMMAND_APPROVAL,
  commandApprovalOf,
  FILE_CHANGE_APPROVAL,
  fileChangeApprovalOf,
  isMcpToolApproval,
  type MappedApproval,
  MCP_DECLINE,
  MCP_ELICITATION,
  type McpElicitationParams,
  mcpToolApprovalOf,
} from "./approval-mapping.js";
import { planEntriesOf, toolCallOf, toolCallUpdateOf } from "./item-mapping.js";
import { type IncomingRequest, JsonRpcConnection, JsonRpcError } from "./json-rpc-connection.js";
import { appServerArgs } from "./launch-args.js";
import { McpStartup, type McpStartupState } from "./mcp-startup.js";
import { turnErrorText, userInputOf } from "./turn-input.js";

export interface CodexAdapterOptions {
  /** How long stop() waits after SIGTERM before killing the process group. Default 2000 ms. */
  readonly stopGraceMs?: number;
  /** How long start() waits for the mount's MCP servers to come up. Default 30 000 ms. */
  readonly mcpStartupTimeoutMs?: number;
}

/** Used when the mount names no binary. */
const DEFAULT_BINARY = "codex";

/**
 * Every command Codex does not know to be read-only is put to the broker's permission desk; the
 * runtime's own sandbox and egress gateway confine what runs (Codex's Linux sandbox would cut the
 * agent's commands off from the gateway's proxy, and nests badly inside bubblewrap).
 */
const THREAD_POLICY = { approvalPolicy: "untrusted", sandbox: "danger-full-access" } as const;

/** One started `codex app-server`. A restart makes a new one. */
interface Running {
  readonly process: AgentProcess;
  readonly rpc: JsonRpcConnection;
  readonly stderrTail: StderrLines;
  readonly onLog: (line: string) => void;
  readonly mcpStartup: McpStartup;
  threadId: string;
  stopping: boolean;
  /** start() resolved: from now on an exit is a crash reported through onExit. */
  started: boolean;
}

class ActiveTurn {
  readonly queue = new AsyncQueue<TurnOutput>();
  readonly announcedToolCalls = new Set<string>();
  /** Approvals Codex is waiting on, by JSON-RPC request id; aborted when Codex resolves them itself. */
  readonly pendingApprovals = new Map<number | string, AbortController>();
  turnId: string | undefined;
  cancelled = false;
  interruptSent = false;
  /** The last error Codex reported without retrying, quoted if the turn fails. */
  lastError: string | undefined;
  /** MCP tool calls started and not yet completed: Codex's approval for one names no item id. */
  private readonly mcpCalls = new Map<string, { server: unknown; tool: unknown }>();

  constructor(readonly input: TurnInput) {}

  trackMcpCall(item: { id: string; type: string; server?: unknown; tool?: unknown }, done: boolean): void {
    if (item.type !== "mcpToolCall") return;
    if (done) this.mcpCalls.delete(item.id);
    else this.mcpCalls.set(item.id, { server: item.server, tool: item.tool });
  }

  /** The latest open MCP call to `tool` of `server`. */
  openMcpCall(server: string, tool: string | undefined): string | undefined {
    let found: string | undefined;
    for (const [id, call] of this.mcpCalls) if (call.server === server && call.tool === tool) found = id;
    return found;
  }
}

/**
 * Drives the Codex CLI through `codex app-server`: JSON-RPC over stdio, one thread per session
 * (`thread/start`, `thread/resume`), one `turn/start` per turn, `turn/interrupt` to cancel, and
 * command / file-change approvals as requests from Codex answered through the broker's desk.
 */
export class CodexAdapter implements AgentAdapter {
  readonly protocol = "codex" as const;
  private running: Running | undefined;
  private turn: ActiveTurn | undefined;

  constructor(
    private readonly launch: AgentLaunch,
    private readonly options: CodexAdapterOptions = {},
  ) {}

  /** The app server's process id (its process group id too) while it runs. */
  get agentPid(): number | undefined {
    return this.running?.process.exit ? undefined : this.running?.process.pid;
  }

  async start(options: AgentStartOptions): Promise<AgentSession> {
    await this.stop();
    const running = this.spawn(options);
    try {
      await running.rpc.request("initialize", {
        clientInfo: { name: "openaxon", title: "OpenAxon", version: "0.1.0" },
        capabilities: { experimentalApi: false, requestAttestation: false },
      });
      running.rpc.notify("initialized");
      const session = await this.openThread(running, options);
      running.threadId = session.sessionId;
      await this.awaitMcpServers(running);
      running.started = true;
      return session;
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  private spawn(options: AgentStartOptions): Running {
    const stderrTail = new StderrLines();
    const process = AgentProcess.spawn({
      binary: this.launch.agentBinary || DEFAULT_BINARY,
      args: [...this.launch.launchArgs, ...appServerArgs(this.launch)],
      cwd: options.cwd,
      env: options.env,
      onStderrLine: (line) => {
        stderrTail.push(line);
        options.onLog(line);
      },
    });
    let running: Running | undefined;
    const rpc = new JsonRpcConnection(process.child.stdout, process.child.stdin, {
      onNotification: (method, params) => running && this.onNotification(running, method, params),
      onRequest: (request) => running && void this.onRequest(running, request),
      onJunk: (line) => options.onLog(`codex app-server sent a line that is not JSON-RPC: ${line}`),
    });
    running = {
      process,
      rpc,
      stderrTail,
      onLog: options.onLog,
      mcpStartup: new McpStartup(),
      threadId: "",
      stopping: false,
      started: false,
    };
    this.running = running;
    const current = running;
    void process.exited.then((info) => this.onExit(current, info, options));
    return running;
  }

  /** A new thread, or the one to restore; a thread Codex cannot resume gives a new one with a note. */
  private async openThread(running: Running, options: AgentStartOptions): Promise<AgentSession> {
    const params: ThreadParams = {
      cwd: options.cwd,
      ...(this.launch.model !== undefined ? { model: this.launch.model } : {}),
      ...THREAD_POLICY,
    };
    const resumeId = options.resumeSessionId;
    if (resumeId !== undefined) {
      try {
        const resumed = await running.rpc.request<ThreadResponse>("thread/resume", {
          threadId: resumeId,
          ...params,
        });
        return { sessionId: resumed.thread.id, restoredBy: "resume" };
      } catch (error) {
        // Only Codex saying no means there is nothing to resume; a dead process fails the start.
        if (!(error instanceof JsonRpcError)) throw error;
        const started = await running.rpc.request<ThreadResponse>("thread/start", params);
        return {
          sessionId: started.thread.id,
          restoredBy: "new",
          note: `Session could not be restored: ${error.message}; started a new one.`,
        };
      }
    }
    const started = await running.rpc.request<ThreadResponse>("thread/start", params);
    return { sessionId: started.thread.id, restoredBy: "new" };
  }

  /**
   * Codex starts MCP servers in the background, and a turn begun before one is ready is not offered
   * its tools; so the session counts as started once each of the mount's servers is up or failed.
   * Failures and servers still starting at the deadline are logged, not fatal: the agent can work
   * without them, as it would if one crashed later.
   */
  private async awaitMcpServers(running: Running): Promise<void> {
    const names = (this.launch.mcpServers ?? []).map((server) => server.name);
    if (names.length === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.mcpStartupTimeoutMs ?? 30_000);
    });
    const exited = running.process.exited.then(() => undefined);
    try {
      const outcome = await running.mcpStartup.settle(names, Promise.race([deadline, exited]));
      for (const { name, error } of outcome.failed)
        running.onLog(`MCP server ${name} failed to start: ${error}`);
      if (outcome.pending.length > 0) {
        running.onLog(
          `MCP servers still starting, the session goes on without waiting: ${outcome.pending.join(", ")}`,
        );
      }
    } finally {
      clearTimeout(timer);
    }
  }

  async *prompt(input: TurnInput): AsyncIterable<TurnOutput> {
    const running = this.running;
    if (!running?.started) throw new Error("Codex is not started");
    if (running.process.exit) throw new Error(`Codex ${describeExit(running.process.exit)}`);
    if (this.turn) throw new Error("A turn is already running");
    const turn = new ActiveTurn(input);
    this.turn = turn;
    running.rpc
      .request<TurnStartResponse>("turn/start", {
        threadId: running.threadId,
        input: userInputOf(input.content),
      })
      .then((response) => {
        turn.turnId ??= response.turn.id;
        if (turn.cancelled) this.interrupt(running, turn);
      })
      .catch((error: unknown) => turn.queue.fail(error));
    try {
      yield* turn.queue;
    } finally {
      if (!turn.queue.closed) {
        // The consumer stopped reading: interrupt, and wait for the turn to end so that its
        // notifications cannot be taken for the next turn's.
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
    // An approval still open would hold the turn; `cancel` declines it and ends the turn too.
    for (const [id, pending] of turn.pendingApprovals) {
      pending.abort();
      running.rpc.respond(id, { decision: "cancel" });
    }
    turn.pendingApprovals.clear();
    // Without the turn's id yet, the interrupt goes out as soon as turn/start answers.
    if (turn.turnId !== undefined) this.interrupt(running, turn);
  }

  private interrupt(running: Running, turn: ActiveTurn): void {
    if (turn.interruptSent || turn.turnId === undefined) return;
    turn.interruptSent = true;
    // Codex answers and then ends the turn with status `interrupted`, which completes it.
    running.rpc
      .request("turn/interrupt", { threadId: running.threadId, turnId: turn.turnId })
      .catch((error: unknown) => running.onLog(`turn/interrupt failed: ${describeError(error)}`));
  }

  async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    running.stopping = true;
    this.turn?.queue.fail(new Error("Codex was stopped during the turn"));
    running.rpc.close(new Error("Codex was stopped"));
    await running.process.stop(this.options.stopGraceMs);
    if (this.running === running) this.running = undefined;
  }

  /** The running turn, if a notification of `turnId` belongs to it. */
  private turnOf(running: Running, threadId: unknown, turnId: unknown): ActiveTurn | undefined {
    const turn = this.turn;
    if (!turn || running !== this.running || threadId !== running.threadId) return undefined;
    // Notifications may come before turn/start's answer; the first turn id seen is this turn's.
    if (turn.turnId === undefined && typeof turnId === "string") {
      turn.turnId = turnId;
      if (turn.cancelled) this.interrupt(running, turn);
    }
    return turn.turnId === turnId ? turn : undefined;
  }

  private onNotification(running: Running, method: string, params: unknown): void {
    const p = (params ?? {}) as Record<string, unknown>;
    switch (method) {
      case "item/agentMessage/delta":
      case "item/reasoning/summaryTextDelta":
      case "item/reasoning/textDelta": {
        const delta = params as DeltaNotification;
        const type = method === "item/agentMessage/delta" ? "message_chunk" : "thought_chunk";
        this.turnOf(running, delta.threadId, delta.turnId)?.queue.push({ type, text: delta.delta });
        return;
      }
      case "item/started":
      case "item/completed":
        this.onItem(running, method, params as ItemNotification);
        return;
      case "turn/plan/updated": {
        const plan = params as PlanNotification;
        this.turnOf(running, plan.threadId, plan.turnId)?.queue.push({
          type: "plan",
          entries: planEntriesOf(plan.plan),
        });
        return;
      }
      case "error": {
        const error = params as ErrorNotification;
        const turn = this.turnOf(running, error.threadId, error.turnId);
        if (turn && !error.willRetry) turn.lastError = turnErrorText(error.error.message);
        running.onLog(
          `codex error${error.willRetry ? " (retrying)" : ""}: ${turnErrorText(error.error.message)}`,
        );
        return;
      }
      case "turn/started": {
        const started = params as TurnNotification;
        this.turnOf(running, started.threadId, started.turn.id);
        return;
      }
      case "turn/completed":
        this.onTurnCompleted(running, params as TurnNotification);
        return;
      case "mcpServer/startupStatus/updated":
        running.mcpStartup.update(
          String(p.name),
          p.status as McpStartupState,
          (p.error as string | null) ?? null,
        );
        return;
      case "serverRequest/resolved": {
        const pending = this.turn?.pendingApprovals.get(p.requestId as number | string);
        pending?.abort();
        return;
      }
      case "warning":
      case "configWarning":
      case "deprecationNotice":
        running.onLog(`codex ${method}: ${String(p.message ?? p.summary ?? JSON.stringify(p))}`);
        return;
      default:
      // Thread status, token usage, rate limits and the like say nothing about the turn's content.
    }
  }

  private onItem(running: Running, method: string, notification: ItemNotification): void {
    const turn = this.turnOf(running, notification.threadId, notification.turnId);
    if (!turn) return;
    turn.trackMcpCall(notification.item, method === "item/completed");
    const call = toolCallOf(notification.item);
    if (!call) return;
    if (!turn.announcedToolCalls.has(call.toolCallId)) {
      turn.announcedToolCalls.add(call.toolCallId);
      turn.queue.push(call);
    }
    if (method === "item/completed") {
      const update = toolCallUpdateOf(notification.item);
      if (update) turn.queue.push(update);
    }
  }

  private onTurnCompleted(running: Running, notification: TurnNotification): void {
    const turn = this.turnOf(running, notification.threadId, notification.turn.id);
    if (!turn) return;
    const { status, error } = notification.turn;
    if (status === "failed") {
      const reason = error ? turnErrorText(error.message, error.additionalDetails) : turn.lastError;
      turn.queue.fail(new Error(`Codex turn failed: ${reason ?? "no reason given"}`));
      return;
    }
    const stopReason = status === "interrupted" || turn.cancelled ? "cancelled" : "end_turn";
    turn.queue.push({ type: "completed", stopReason });
    turn.queue.end();
  }

  private async onRequest(running: Running, request: IncomingRequest): Promise<void> {
    const { rpc } = running;
    const asked = this.approvalOf(running, request);
    if ("refuse" in asked) {
      running.onLog(
        `codex asked ${request.method}, which OpenAxon ${asked.refuse}: ${JSON.stringify(request.params).slice(0, 1000)}`,
      );
      if (asked.answer === undefined)
        rpc.respondError(request.id, -32601, `OpenAxon does not answer ${request.method}`);
      else rpc.respond(request.id, asked.answer);
      return;
    }
    const { turn, approval } = asked;
    const withdrawn = new AbortController();
    turn.pendingApprovals.set(request.id, withdrawn);
    const gone = new Promise<"withdrawn">((resolve) => {
      withdrawn.signal.addEventListener("abort", () => resolve("withdrawn"), { once: true });
    });
    try {
      // Ask only once the broker has the outputs that came before this request (its tool_call).
      await Promise.race([turn.queue.handled(), gone]);
      if (withdrawn.signal.aborted) return;
      const decision: PermissionDecision | "withdrawn" = await Promise.race([
        turn.input.requestPermission(approval.request),
        gone,
      ]);
      if (decision === "withdrawn" || withdrawn.signal.aborted) return;
      rpc.respond(request.id, approvalResponseOf(approval, decision));
    } catch (error) {
      if (withdrawn.signal.aborted) return;
      // No decision means no permission.
      running.onLog(`Permission could not be obtained: ${describeError(error)}`);
      rpc.respond(request.id, approval.refusal);
    } finally {
      turn.pendingApprovals.delete(request.id);
    }
  }

  /** The approval a request from Codex asks for, or how to refuse it (and why, for the log). */
  private approvalOf(
    running: Running,
    request: IncomingRequest,
  ): { turn: ActiveTurn; approval: MappedApproval } | { refuse: string; answer?: unknown } {
    if (request.method === COMMAND_APPROVAL || request.method === FILE_CHANGE_APPROVAL) {
      const params = request.params as CommandApprovalParams & FileChangeApprovalParams;
      const turn = this.turnOf(running, params.threadId, params.turnId);
      if (!turn || turn.cancelled)
        return { refuse: "declines outside a running turn", answer: { decision: "decline" } };
      const approval =
        request.method === COMMAND_APPROVAL ? commandApprovalOf(params) : fileChangeApprovalOf(params);
      return { turn, approval };
    }
    if (request.method === MCP_ELICITATION) {
      const params = request.params as McpElicitationParams;
      const turn = this.turnOf(running, params.threadId, params.turnId);
      // A form asking a person for input has no place in the vocabulary; a tool approval does.
      if (!isMcpToolApproval(params))
        return { refuse: "declines (not a tool approval)", answer: MCP_DECLINE };
      if (!turn || turn.cancelled) return { refuse: "declines outside a running turn", answer: MCP_DECLINE };
      const toolCallId =
        turn.openMcpCall(params.serverName, params._meta?.tool_name) ?? `mcp-approval-${request.id}`;
      const approval = mcpToolApprovalOf(params, toolCallId);
      if (!turn.announcedToolCalls.has(toolCallId)) {
        turn.announcedToolCalls.add(toolCallId);
        turn.queue.push({ type: "tool_call", ...approval.request.toolCall });
      }
      return { turn, approval };
    }
    // User-input questions and permission-profile grants: nothing in the vocabulary carries them.
    return { refuse: "does not answer" };
  }

  private async onExit(running: Running, info: ExitInfo, options: AgentStartOptions): Promise<void> {
    // Let the last stdout lines arrive first, but not for long: a background child holding the
    // pipe open would keep it from closing.
    await Promise.race([running.process.closed, new Promise((resolve) => setTimeout(resolve, 500))]);
    const during = running.started ? "the turn" : "start";
    running.rpc.close(exitError(running, info, during));
    if (running.stopping) return;
    if (this.running === running) this.turn?.queue.fail(exitError(running, info, "the turn"));
    // An exit during start() is reported by start() rejecting.
    if (running.started) options.onExit?.({ code: info.code, signal: info.signal });
  }
}

function exitError(running: Running, info: ExitInfo, during: string): Error {
  return new Error(`Codex ${describeExit(info)} during ${during}${running.stderrTail.suffix()}`);
}

export function createCodexAdapter(launch: AgentLaunch, options: CodexAdapterOptions = {}): CodexAdapter {
  return new CodexAdapter(launch, options);
}
