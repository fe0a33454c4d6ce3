import type { Clock } from "@openaxon/core";

export type StdioMode = "per-turn" | "jsonl";

export interface StdioAdapterOptions {
  readonly agentBinary: string;
  readonly launchArgs?: readonly string[];
  /** "per-turn" (default): one process per turn. "jsonl": one long-lived process speaking JSON lines. */
  readonly mode?: StdioMode;
  /** Time to wait after SIGINT (cancel) before SIGTERM, and after SIGTERM before SIGKILL. Default 2 s each. */
  readonly interruptGraceMs?: number;
  readonly terminateGraceMs?: number;
  /** jsonl: how long the agent may take to announce its session. Default 30 s. */
  readonly startTimeoutMs?: number;
  /** Characters of stderr kept for the error of a failed turn. Default 2048. */
  readonly stderrTailChars?: number;
  /** Default: the system clock. */
  readonly clock?: Clock;
}
