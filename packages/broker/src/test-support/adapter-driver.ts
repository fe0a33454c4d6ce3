import { sleep, systemClock } from "@openaxon/core";
import type {
  AgentAdapter,
  AgentSession,
  PermissionDecision,
  PermissionRequest,
  TurnOutput,
} from "../agent-adapter.js";

export type Decide = (request: PermissionRequest) => Promise<PermissionDecision>;

/** For turns that must not ask: any permission request fails the test. */
export const refuseToAsk: Decide = async () => {
  throw new Error("no permission request expected");
};

/** The reply text of a turn: its message chunks, joined. */
export const textOf = (outputs: readonly TurnOutput[]) =>
  outputs.map((o) => (o.type === "message_chunk" ? o.text : "")).join("");

/**
 * Drives a real agent adapter the way a broker does, for adapter integration tests, and records
 * what a broker would see: the agent's stderr lines, its exits, and the publish order.
 */
export class AdapterDriver {
  readonly logs: string[] = [];
  readonly exits: { code: number | null; signal: string | null }[] = [];
  /** What a broker would have published, in order: outputs once handled, permission prompts. */
  readonly timeline: string[] = [];

  constructor(
    private readonly adapter: AgentAdapter,
    private readonly launch: { readonly cwd: string; readonly env: Readonly<Record<string, string>> },
  ) {}

  start(resumeSessionId?: string): Promise<AgentSession> {
    return this.adapter.start({
      cwd: this.launch.cwd,
      env: this.launch.env,
      onLog: (line) => this.logs.push(line),
      onExit: (info) => this.exits.push(info),
      ...(resumeSessionId === undefined ? {} : { resumeSessionId }),
    });
  }

  async runTurn(
    content: string,
    decide: Decide = refuseToAsk,
    onOutput?: (o: TurnOutput) => void,
  ): Promise<TurnOutput[]> {
    const outputs: TurnOutput[] = [];
    const requestPermission: Decide = (request) => {
      this.timeline.push(`permission ${request.toolCall.toolCallId}`);
      return decide(request);
    };
    for await (const output of this.adapter.prompt({ turnId: "turn-1", content, requestPermission })) {
      outputs.push(output);
      onOutput?.(output);
      // A broker publishes each output before it takes the next; a slow publish of a tool call must
      // still land before the permission request for it.
      if (output.type === "tool_call") await sleep(systemClock, 300);
      this.timeline.push(`${output.type}${"toolCallId" in output ? ` ${output.toolCallId}` : ""}`);
    }
    return outputs;
  }
}
