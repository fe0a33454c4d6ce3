import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { type Clock, sleep, systemClock } from "@openaxon/core";
import type { ExitInfo } from "../describe.js";

export interface AgentProcessOptions {
  readonly binary: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** The complete environment; nothing is inherited from this process. */
  readonly env: Readonly<Record<string, string>>;
  readonly onStderrLine: (line: string) => void;
  /** Paces stop()'s polling for the group to go away; systemClock unless a test says otherwise. */
  readonly clock?: Clock;
}

// How long stop() waits for SIGKILLed members to disappear.
const GROUP_EXIT_TIMEOUT_MS = 2000;

// Process groups still alive; killed if this process exits without stopping them, so no agent
// (nor anything it spawned) outlives its host.
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const pid of liveGroups) killGroup(pid, "SIGKILL");
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * Whether any process of the group still runs. Killed members stay visible as zombies until init
 * reaps them (seconds, under some inits), so on Linux zombies are not counted.
 */
export function processGroupAlive(pgid: number): boolean {
  if (process.platform === "linux") return liveGroupMembers(pgid).length > 0;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids of the running (non-zombie) processes in group `pgid`, read from /proc (Linux only). */
function liveGroupMembers(pgid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    // "pid (comm) state ppid pgrp …" — comm may hold spaces and parentheses, so split after the last ")".
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(pgrp) === pgid && state !== "Z") pids.push(Number(entry));
  }
  return pids;
}

function signal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: already gone.
  }
}

/** Polls until `done()` or `timeoutMs` passed. */
async function waitUntil(clock: Clock, done: () => boolean, timeoutMs: number): Promise<void> {
  for (let waited = 0; !done() && waited < timeoutMs; waited += 20) {
    await sleep(clock, 20);
  }
}

/** An agent running in its own process group, with stderr delivered line by line. */
export class AgentProcess {
  readonly exited: Promise<ExitInfo>;
  /** Resolves once the process exited and its stdio closed (all of its output was read). */
  readonly closed: Promise<void>;
  private exitInfo: ExitInfo | undefined;

  private constructor(
    readonly child: ChildProcessWithoutNullStreams,
    private readonly clock: Clock,
  ) {
    this.closed = new Promise<void>((resolve) => {
      child.once("close", () => resolve());
      child.once("error", () => {
        if (child.pid === undefined) resolve();
      });
    });
    this.exited = new Promise<ExitInfo>((resolve) => {
      child.once("exit", (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
      child.once("error", (error) => {
        // Only a failed spawn ends the process here; other errors (e.g. a failed kill) do not.
        if (child.pid === undefined) {
          this.exitInfo = { code: null, signal: null, spawnError: error };
          resolve(this.exitInfo);
        }
      });
    });
    // Writes to an agent that just died fail with EPIPE; the exit is reported through `exited`.
    child.stdin.on("error", () => undefined);
  }

  static spawn(options: AgentProcessOptions): AgentProcess {
    installExitHook();
    const child = spawn(options.binary, [...options.args], {
      cwd: options.cwd,
      env: { ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
      // Own process group: stop() signals the agent and everything it started.
      detached: true,
    });
    const agent = new AgentProcess(child, options.clock ?? systemClock);
    const pid = child.pid;
    if (pid !== undefined) {
      liveGroups.add(pid);
      void agent.exited.then(() => {
        // The leader is gone; take down stragglers it left in the group, then forget it.
        killGroup(pid, "SIGKILL");
        liveGroups.delete(pid);
      });
    }
    const lines = createInterface({ input: child.stderr, crlfDelay: Number.POSITIVE_INFINITY });
    lines.on("line", (line) => {
      if (line.length > 0) options.onStderrLine(line);
    });
    return agent;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Undefined while the process runs. */
  get exit(): ExitInfo | undefined {
    return this.exitInfo;
  }

  /**
   * Terminates the group: the agent's children first, then the agent, then SIGKILL for whatever
   * is left after `graceMs`. Children go first because a child shutting down cleanly may still
   * write to its parent; ending the parent first breaks that pipe, and Claude Code, for one, then
   * exits without flushing its session transcript, so the session could not be resumed.
   */
  async stop(graceMs = 2000): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined || this.exitInfo) {
      await this.exited;
      return;
    }
    if (process.platform === "linux") {
      const children = liveGroupMembers(pid).filter((member) => member !== pid);
      for (const child of children) signal(child, "SIGTERM");
      await waitUntil(this.clock, () => liveGroupMembers(pid).every((member) => member === pid), graceMs);
    }
    killGroup(pid, "SIGTERM");
    await waitUntil(this.clock, () => this.exitInfo !== undefined, graceMs);
    killGroup(pid, "SIGKILL");
    await this.exited;
    await waitUntil(this.clock, () => !processGroupAlive(pid), GROUP_EXIT_TIMEOUT_MS);
  }
}
