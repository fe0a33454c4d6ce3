import { readFileSync } from "node:fs";
import type { AgentStartOptions, TurnInput, TurnOutput } from "@openaxon/broker";

/**
 * True once `pid` has terminated. ESRCH is the plain answer; a zombie (state Z) has terminated too
 * and only waits to be reaped by init, which in some containers never reaps.
 */
export function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return true;
    throw error;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}

export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Start options with a complete, minimal environment (the adapter adds nothing from process.env). */
export function startOptions(overrides: Partial<AgentStartOptions> = {}) {
  const logs: string[] = [];
  const exits: Array<{ code: number | null; signal: string | null }> = [];
  const options: AgentStartOptions = {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    onLog: (line) => logs.push(line),
    onExit: (info) => exits.push(info),
    ...overrides,
  };
  return { options, logs, exits };
}

export function turnInput(content: TurnInput["content"], overrides: Partial<TurnInput> = {}): TurnInput {
  return {
    turnId: "turn_1",
    content,
    requestPermission: async () => ({ outcome: "rejected" }),
    ...overrides,
  };
}

export async function collect(outputs: AsyncIterable<TurnOutput>): Promise<TurnOutput[]> {
  const all: TurnOutput[] = [];
  for await (const output of outputs) all.push(output);
  return all;
}
