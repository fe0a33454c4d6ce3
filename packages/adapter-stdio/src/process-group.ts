import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { type Clock, sleep } from "@openaxon/core";

export interface GroupedProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Settles once the leader process has exited (or failed to spawn). */
  readonly exited: Promise<ProcessExit>;
  /**
   * Settles once its stdio pipes are closed too. A process's last output can still be in the pipe
   * when it exits (more than a pipe holds, written just before exit): read it before judging.
   */
  readonly closed: Promise<void>;
  hasExited(): boolean;
}

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (ENOENT, EACCES, …). */
  readonly spawnError?: Error;
}

/**
 * Spawns the agent as the leader of its own process group, so that signalling the group reaches
 * every process it starts (shell pipelines, tool subprocesses), and nothing it forks is left behind.
 */
export function spawnGroup(
  binary: string,
  args: readonly string[],
  options: { cwd: string; env: Readonly<Record<string, string>> },
): GroupedProcess {
  const child = spawn(binary, [...args], {
    cwd: options.cwd,
    env: { ...options.env },
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let done = false;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once("exit", (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
    child.once("error", (error) => {
      // "error" without a pid means the spawn itself failed; later errors (kill failures) are not exits.
      if (child.pid === undefined) {
        done = true;
        resolve({ code: null, signal: null, spawnError: error });
      }
    });
  });
  const closed = new Promise<void>((resolve) => {
    child.once("close", () => resolve());
    void exited.then((exit) => exit.spawnError && resolve());
  });
  // A CLI that never reads its stdin makes our write fail with EPIPE: that is not the agent's failure.
  child.stdin.on("error", () => {});
  return { child, exited, closed, hasExited: () => done };
}

/**
 * The leader's exit once every pipe is drained. The rest of its group is killed first: a leftover
 * grandchild holding stderr open must not keep the caller waiting (nor outlive the agent). One that
 * escaped the group (setsid) could hold a pipe forever, so the wait is bounded.
 */
export async function exitedAndDrained(
  proc: GroupedProcess,
  clock: Clock,
  boundMs = 2_000,
): Promise<ProcessExit> {
  const exit = await proc.exited;
  if (!exit.spawnError) signalGroup(proc.child.pid, "SIGKILL");
  const timeout = new AbortController();
  await Promise.race([proc.closed, sleep(clock, boundMs, timeout.signal).catch(() => {})]);
  timeout.abort();
  return exit;
}

/** Sends `signal` to the whole group; a group that is already gone is fine. */
export function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

export interface TerminateOptions {
  readonly clock: Clock;
  /** Signals to send in turn, each followed by its grace period; SIGKILL always ends the list. */
  readonly steps: readonly { readonly signal: NodeJS.Signals; readonly graceMs: number }[];
}

/**
 * Escalates through the signals until the leader exits, then SIGKILLs the rest of the group so no
 * grandchild (a backgrounded `sleep`, a tool's subprocess) outlives the agent.
 */
export async function terminateGroup(proc: GroupedProcess, options: TerminateOptions): Promise<ProcessExit> {
  const pid = proc.child.pid;
  for (const step of options.steps) {
    if (proc.hasExited()) break;
    signalGroup(pid, step.signal);
    const timeout = new AbortController();
    await Promise.race([proc.exited, sleep(options.clock, step.graceMs, timeout.signal).catch(() => {})]);
    timeout.abort();
  }
  if (!proc.hasExited()) signalGroup(pid, "SIGKILL");
  const exit = await proc.exited;
  signalGroup(pid, "SIGKILL");
  return exit;
}
