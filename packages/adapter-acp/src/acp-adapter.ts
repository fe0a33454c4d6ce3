import { Readable, Writable } from "node:stream";
import {
  type AgentCapabilities,
  type ClientConnection,
  client,
  type McpServer,
  methods,
  ndJsonStream,
  PROTOCOL_VERSION,
  type RequestPermissionRequest,
  type RequestPermissionResponse,
  type SessionNotification,
} from "@agentclientprotocol/sdk";
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
import { acpMcpServers } from "./mcp-server-mapping.js";
import { modelSelection, type SessionModelInfo } from "./model-selection.js";
import { outcomeOf, permissionRequestOf } from "./permission-mapping.js";
import { promptBlocks, turnOutputOf } from "./session-update-mapping.js";

export interface AcpAdapterOptions {
  /** How long stop() waits after SIGTERM before killing the process group. Default 2000 ms. */
  readonly stopGraceMs?: number;
}

/** One started agent process and its ACP connection. A restart makes a new one. */
interface Running {
  readonly process: AgentProcess;
  readonly connection: ClientConnection;
  readonly cwd: string;
  /** The mount's MCP servers in ACP's shape, sent with every session/new|load|resume. */
  mcpServers: McpServer[];
  sessionId: string | undefined;
  /** While `session/load` replays history: the axon already has it, so updates are dropped. */
  replaying: boolean;
  stopping: boolean;
  /** start() resolved: from now on an exit is a crash reported through onExit. */
  started: boolean;
  readonly stderrTail: StderrLines;
}

/** The turn in progress: its output queue and whether it was cancelled. */
class ActiveTurn {
  readonly queue = new AsyncQueue<TurnOutput>();
  cancelled = false;
  private readonly cancelWaiters = new Set<() => void>();

  constructor(readonly input: TurnInput) {}

  wakeCancelWaiters(): void {
    for (const wake of this.cancelWaiters) wake();
    this.cancelWaiters.clear();
  }

  /** Resolves once cancel() has told the agent (session/cancel) that the turn is cancelled. */
  whenCancelled(): Promise<"cancelled"> {
    return new Promise((resolve) => this.cancelWaiters.add(() => resolve("cancelled")));
  }
}

// After a failed request, how long to wait for the process exit that probably caused it.
const EXIT_SETTLE_MS = 1000;

// Notification handlers run a few microtasks after the message arrives; a response resolves
// sooner. Waiting one macrotask lets every update that preceded a response be handled first.
const settleNotifications = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Drives an ACP agent over stdio (newline-delimited JSON-RPC) with @agentclientprotocol/sdk's
 * client app: initialize, session/new|resume|load, session/prompt, session/cancel, and the agent's
 * session/update notifications and session/request_permission requests.
 */
export class AcpAdapter implements AgentAdapter {
  readonly protocol = "acp" as const;
  private running: Running | undefined;
  private turn: ActiveTurn | undefined;

  constructor(
    private readonly launch: AgentLaunch,
    private readonly options: AcpAdapterOptions = {},
  ) {}

  /** The agent's process id (its process group id too) while it runs. */
  get agentPid(): number | undefined {
    return this.running?.process.exit ? undefined : this.running?.process.pid;
  }

  async start(options: AgentStartOptions): Promise<AgentSession> {
    await this.stop();
    const stderrTail = new StderrLines();
    const process = AgentProcess.spawn({
      binary: this.launch.agentBinary,
      args: this.launch.launchArgs,
      cwd: options.cwd,
      env: options.env,
      onStderrLine: (line) => {
        stderrTail.push(line);
        options.onLog(line);
      },
    });
    const app = client({ name: "openaxon" })
      .onNotification(methods.client.session.update, ({ params }) => this.onSessionUpdate(running, params))
      .onRequest(methods.client.session.requestPermission, ({ params, signal }) =>
        this.onPermissionRequest(running, params, signal),
      );
    const stream = ndJsonStream(
      Writable.toWeb(process.child.stdin) as WritableStream<Uint8Array>,
      Readable.toWeb(process.child.stdout) as ReadableStream<Uint8Array>,
    );
    const running: Running = {
      process,
      connection: app.connect(stream),
      cwd: options.cwd,
      mcpServers: [],
      sessionId: undefined,
      replaying: false,
      stopping: false,
      started: false,
      stderrTail,
    };
    this.running = running;
    void process.exited.then((info) => this.onExit(running, info, options));

    try {
      const init = await this.untilExit(
        running,
        running.connection.agent.request(methods.agent.initialize, {
          protocolVersion: PROTOCOL_VERSION,
          // The agent uses its own file system and terminal; the broker only relays turns.
          clientCapabilities: { fs: { readTextFile: false, writeTextFile: false }, terminal: false },
          clientInfo: { name: "openaxon", version: "0.1.0" },
        }),
        "initialize",
      );
      const capabilities = init.agentCapabilities ?? {};
      running.mcpServers = acpMcpServers(this.launch.mcpServers ?? [], capabilities);
      const { info, ...session } = await this.openSession(running, capabilities, options.resumeSessionId);
      running.sessionId = session.sessionId;
      if (this.launch.model !== undefined) await this.selectModel(running, info, this.launch.model, options);
      running.started = true;
      return session;
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Opens (or restores) the session; `info` is what the agent said about its models. */
  private async openSession(
    running: Running,
    capabilities: AgentCapabilities,
    resumeSessionId: string | undefined,
  ): Promise<AgentSession & { readonly info: SessionModelInfo }> {
    const { connection, cwd, mcpServers } = running;
    if (resumeSessionId === undefined) return { ...(await this.newSession(running)), restoredBy: "new" };

    let failure: string;
    if (capabilities.sessionCapabilities?.resume) {
      try {
        const info = await this.untilExit(
          running,
          connection.agent.request(methods.agent.session.resume, {
            sessionId: resumeSessionId,
            cwd,
            mcpServers,
          }),
          "session/resume",
        );
        return { sessionId: resumeSessionId, restoredBy: "resume", info };
      } catch (error) {
        if (running.process.exit) throw error;
        failure = `session/resume of ${resumeSessionId} failed (${messageOf(error)})`;
      }
    } else if (capabilities.loadSession) {
      running.replaying = true;
      try {
        const info = await this.untilExit(
          running,
          connection.agent.request(methods.agent.session.load, {
            sessionId: resumeSessionId,
            cwd,
            mcpServers,
          }),
          "session/load",
        );
        await settleNotifications();
        return { sessionId: resumeSessionId, restoredBy: "load", info };
      } catch (error) {
        if (running.process.exit) throw error;
        failure = `session/load of ${resumeSessionId} failed (${messageOf(error)})`;
      } finally {
        running.replaying = false;
      }
    } else {
      failure = "the agent supports neither session/resume nor session/load";
    }
    return {
      ...(await this.newSession(running)),
      restoredBy: "new",
      note: `Session could not be restored: ${failure}; started a new one.`,
    };
  }

  private async newSession(running: Running): Promise<{ sessionId: string; info: SessionModelInfo }> {
    const { cwd, mcpServers } = running;
    const info = await this.untilExit(
      running,
      running.connection.agent.request(methods.agent.session.new, { cwd, mcpServers }),
      "session/new",
    );
    return { sessionId: info.sessionId, info };
  }

  /**
   * Puts the session on the mount's model (after every open: a restored session may not remember
   * it). A model the agent's closed list lacks fails the start; an agent with no model selection
   * over ACP keeps its default, and the axon's agent log says so.
   */
  private async selectModel(
    running: Running,
    info: SessionModelInfo,
    model: string,
    options: AgentStartOptions,
  ): Promise<void> {
    const sessionId = running.sessionId!;
    const selection = modelSelection(info, model);
    switch (selection.kind) {
      case "current":
        return;
      case "config-option":
        await this.untilExit(
          running,
          running.connection.agent.request(methods.agent.session.setConfigOption, {
            sessionId,
            configId: selection.configId,
            value: selection.value,
          }),
          "session/set_config_option",
        );
        return;
      case "set-model":
        // Not in the 2.x SDK's method table: sent by name, as the agent's 0.x SDK expects it.
        await this.untilExit(
          running,
          running.connection.agent.request("session/set_model", { sessionId, modelId: selection.modelId }),
          "session/set_model",
        );
        return;
      case "not-offered":
        throw new Error(
          `the agent does not offer model ${model} (its model option offers: ${selection.offered.join(", ") || "nothing"})`,
        );
      case "unsupported":
        options.onLog(
          `openaxon: model ${model} not applied: the agent offers no model selection over ACP (no "model" config option, no session/set_model); it uses its default`,
        );
        return;
    }
  }

  async *prompt(input: TurnInput): AsyncIterable<TurnOutput> {
    const running = this.running;
    const sessionId = running?.sessionId;
    if (!running || sessionId === undefined) throw new Error("The ACP agent is not started");
    if (running.process.exit) throw new Error(`The ACP agent ${describeExit(running.process.exit)}`);
    if (this.turn) throw new Error("A turn is already running");
    const turn = new ActiveTurn(input);
    this.turn = turn;
    running.connection.agent
      .request(methods.agent.session.prompt, { sessionId, prompt: promptBlocks(input.content) })
      .then(
        async (response) => {
          await settleNotifications();
          turn.queue.push({ type: "completed", stopReason: response.stopReason });
          turn.queue.end();
        },
        async (error: unknown) => turn.queue.fail(await this.turnError(running, error)),
      );
    try {
      yield* turn.queue;
    } finally {
      // Reached early only if the consumer stopped reading: end the turn on the agent too.
      if (!turn.queue.closed) await this.cancel();
      if (this.turn === turn) this.turn = undefined;
    }
  }

  async cancel(): Promise<void> {
    const turn = this.turn;
    const running = this.running;
    if (!turn || turn.cancelled || !running?.sessionId) return;
    turn.cancelled = true;
    // As ACP asks: session/cancel first, then answer pending permission requests "cancelled" —
    // the one case that outcome is for.
    await running.connection.agent
      .notify(methods.agent.session.cancel, { sessionId: running.sessionId })
      .catch(() => undefined);
    turn.wakeCancelWaiters();
  }

  async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    running.stopping = true;
    this.turn?.queue.fail(new Error("The ACP agent was stopped during the turn"));
    running.connection.close();
    await running.process.stop(this.options.stopGraceMs);
    if (this.running === running) this.running = undefined;
  }

  private onSessionUpdate(running: Running, notification: SessionNotification): void {
    if (running.replaying || running !== this.running || notification.sessionId !== running.sessionId) return;
    const output = turnOutputOf(notification.update);
    if (output) this.turn?.queue.push(output);
  }

  private async onPermissionRequest(
    running: Running,
    params: RequestPermissionRequest,
    signal: AbortSignal,
  ): Promise<RequestPermissionResponse> {
    const turn = this.turn;
    if (running !== this.running || !turn || params.sessionId !== running.sessionId) {
      throw new Error("No turn is running in this session");
    }
    // Refuses an ambiguous request (duplicate optionIds) before anything waits on it.
    const request = permissionRequestOf(params);
    const cancelled: RequestPermissionResponse = { outcome: { outcome: "cancelled" } };
    const abandoned = new Promise<"cancelled">((resolve) => {
      signal.addEventListener("abort", () => resolve("cancelled"), { once: true });
    });
    // Ask only once the broker has the outputs that came before this request (its tool_call).
    const outputsHandled = settleNotifications().then(() => turn.queue.handled());
    const ready = await Promise.race([outputsHandled, turn.whenCancelled(), abandoned]);
    if (ready === "cancelled" || turn.cancelled) return cancelled;
    const decision: PermissionDecision | "cancelled" = await Promise.race([
      turn.input.requestPermission(request),
      turn.whenCancelled(),
      abandoned,
    ]);
    if (decision === "cancelled") return cancelled;
    return { outcome: outcomeOf(decision, params.options) };
  }

  private onExit(running: Running, info: ExitInfo, options: AgentStartOptions): void {
    running.connection.close(new Error(`The ACP agent ${describeExit(info)}`));
    if (running.stopping) return;
    if (this.running === running) this.turn?.queue.fail(exitError(running, info));
    // An exit during start() is reported by start() rejecting.
    if (running.started) options.onExit?.({ code: info.code, signal: info.signal });
  }

  /** Awaits a request, but fails as soon as the agent exits (with its exit status and stderr tail). */
  private async untilExit<T>(running: Running, request: Promise<T>, what: string): Promise<T> {
    const exited = running.process.exited.then((info) => {
      throw exitError(running, info, what);
    });
    exited.catch(() => undefined);
    try {
      return await Promise.race([request, exited]);
    } catch (error) {
      if (running.process.exit) throw exitError(running, running.process.exit, what);
      throw new Error(`ACP ${what} failed: ${messageOf(error)}`, { cause: error });
    }
  }

  private async turnError(running: Running, error: unknown): Promise<Error> {
    let timer: NodeJS.Timeout | undefined;
    const settle = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), EXIT_SETTLE_MS);
    });
    const info = running.stopping ? undefined : await Promise.race([running.process.exited, settle]);
    clearTimeout(timer);
    if (info) return exitError(running, info, "the turn");
    return new Error(`ACP session/prompt failed: ${messageOf(error)}`, { cause: error });
  }
}

function exitError(running: Running, info: ExitInfo, during = "the turn"): Error {
  const tail = running.stderrTail.suffix();
  return new Error(`The ACP agent ${describeExit(info)} during ${during}${tail}`);
}

function messageOf(error: unknown): string {
  // JSON-RPC errors keep the agent's explanation in `data`.
  const data = (error as { data?: unknown } | undefined)?.data;
  const detail = data === undefined ? "" : `: ${typeof data === "string" ? data : JSON.stringify(data)}`;
  if (error instanceof Error) return `${error.message}${detail}`;
  if (typeof error === "object" && error !== null && "message" in error) return String(error.message);
  return String(error);
}

export function createAcpAdapter(launch: AgentLaunch, options: AcpAdapterOptions = {}): AcpAdapter {
  return new AcpAdapter(launch, options);
}
