import type {
  AgentAdapter,
  AgentProtocolName,
  AgentSession,
  AgentStartOptions,
  PermissionDecision,
  PermissionRequest,
  TurnInput,
  TurnOutput,
} from "../agent-adapter.js";

/** One step of a scripted turn. */
export type AgentStep =
  | TurnOutput
  /** Ask the broker's permission policy; the decision is recorded in `decisions`. */
  | { readonly type: "ask"; readonly request: PermissionRequest }
  /** Wait until the test calls `release(gate)` (or the turn is cancelled). */
  | { readonly type: "wait"; readonly gate: string }
  /** Fail the turn with this message. */
  | { readonly type: "throw"; readonly message: string }
  /** The agent process dies: onExit fires and the turn never answers again. */
  | { readonly type: "crash"; readonly code: number | null; readonly signal: string | null }
  /** Stop answering altogether, cancel included (a wedged agent). */
  | { readonly type: "hang" }
  /** Write a stderr line. */
  | { readonly type: "log"; readonly line: string };

export type AgentScript = (input: TurnInput, turnIndex: number) => readonly AgentStep[];

/** Default script: echo the prompt back as one chunk. */
export const echoScript: AgentScript = (input) => [
  { type: "message_chunk", text: `echo: ${typeof input.content === "string" ? input.content : "[blocks]"}` },
  { type: "completed", stopReason: "end_turn" },
];

/**
 * A fake AgentAdapter for unit tests of the turn loop (the one place a fake agent belongs): it
 * follows a script per turn, records everything the broker asked of it, and lets the test hold a
 * turn at a gate. Real agents are exercised in the adapters' and the runtime's tests.
 */
export class ScriptedAgent implements AgentAdapter {
  readonly protocol: AgentProtocolName;
  readonly starts: AgentStartOptions[] = [];
  readonly prompts: TurnInput[] = [];
  readonly decisions: PermissionDecision[] = [];
  cancels = 0;
  stops = 0;
  /** The next N starts throw. */
  failStarts = 0;
  /** Turns currently inside `prompt` (the broker must never let this exceed 1). */
  active = 0;
  maxActive = 0;
  private live = false;
  private sessionCounter = 0;
  private gates = new Map<string, number>();
  private gateWaiters: Array<() => void> = [];
  private cancelWaiters: Array<() => void> = [];
  private cancelled = false;

  constructor(
    public script: AgentScript = echoScript,
    options: { protocol?: AgentProtocolName } = {},
  ) {
    this.protocol = options.protocol ?? "acp";
  }

  get running(): boolean {
    return this.live;
  }

  get lastStart(): AgentStartOptions | undefined {
    return this.starts[this.starts.length - 1];
  }

  async start(options: AgentStartOptions): Promise<AgentSession> {
    this.starts.push(options);
    if (this.failStarts > 0) {
      this.failStarts--;
      throw new Error("spawn fake-agent ENOENT");
    }
    this.live = true;
    if (options.resumeSessionId) return { sessionId: options.resumeSessionId, restoredBy: "resume" };
    return { sessionId: `sess_${++this.sessionCounter}`, restoredBy: "new" };
  }

  async *prompt(input: TurnInput): AsyncGenerator<TurnOutput> {
    if (!this.live) throw new Error("agent not started");
    this.prompts.push(input);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    this.cancelled = false;
    try {
      for (const step of this.script(input, this.prompts.length - 1)) {
        if (this.cancelled) break;
        switch (step.type) {
          case "ask":
            this.decisions.push(await input.requestPermission(step.request));
            break;
          case "wait":
            await this.waitGate(step.gate);
            break;
          case "throw":
            throw new Error(step.message);
          case "crash":
            this.live = false;
            this.lastStart?.onExit?.({ code: step.code, signal: step.signal });
            await new Promise(() => {});
            break;
          case "hang":
            await new Promise(() => {});
            break;
          case "log":
            this.lastStart?.onLog(step.line);
            break;
          default:
            yield step;
            if (step.type === "completed") return;
        }
      }
      if (this.cancelled) yield { type: "completed", stopReason: "cancelled" };
    } finally {
      this.active--;
    }
  }

  async cancel(): Promise<void> {
    this.cancels++;
    this.cancelled = true;
    for (const wake of this.cancelWaiters.splice(0)) wake();
  }

  async stop(): Promise<void> {
    this.stops++;
    this.live = false;
  }

  /** Lets `count` waits at `gate` pass (now or later). */
  release(gate: string, count = 1): void {
    this.gates.set(gate, (this.gates.get(gate) ?? 0) + count);
    for (const wake of this.gateWaiters.splice(0)) wake();
  }

  private async waitGate(gate: string): Promise<void> {
    for (;;) {
      if (this.cancelled) return;
      const open = this.gates.get(gate) ?? 0;
      if (open > 0) {
        this.gates.set(gate, open - 1);
        return;
      }
      await new Promise<void>((resolve) => {
        this.gateWaiters.push(resolve);
        this.cancelWaiters.push(resolve);
      });
    }
  }
}
