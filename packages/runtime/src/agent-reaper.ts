import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Agents run detached (own process group and session) so the broker can signal everything an agent
 * started. The price: a SIGKILLed server leaves them running. Every agent's environment carries the
 * marker `OPENAXON_AGENT_HOST=<host id>`, inherited by all its children, and the reaper
 * (`reaper/agent-reaper.mjs`) kills whatever carries it:
 *
 * - `sweepAgents` on boot: leftovers of a previous server on this data dir, before new agents start;
 * - `startAgentReaper` while running: a detached watcher whose stdin is a pipe from this process.
 *   However this process ends — exit, crash, SIGKILL — the kernel closes the pipe and the watcher
 *   kills the marked processes within a fraction of a second.
 */
export const REAPER_SCRIPT = fileURLToPath(new URL("../reaper/agent-reaper.mjs", import.meta.url));

/** The reaper needs nothing from the server's environment (`ps` is found on this PATH off Linux). */
const REAPER_ENV = { PATH: "/usr/bin:/bin" };

export interface AgentReaperOptions {
  /** The `NAME=value` marker in the agents' environment. */
  readonly marker: string;
  /** Node executable to run the reaper with. Default: this process's. */
  readonly nodePath?: string;
}

/** Kills every process carrying the marker now; resolves with how many there were. */
export function sweepAgents(options: AgentReaperOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.nodePath ?? process.execPath, [REAPER_SCRIPT, "sweep", options.marker], {
      stdio: ["ignore", "pipe", "pipe"],
      env: REAPER_ENV,
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString("utf8");
    });
    child.once("error", reject);
    child.once("close", (code) => {
      if (code !== 0) {
        reject(new Error(`agent reaper sweep exited with code ${code}: ${err.trim()}`));
        return;
      }
      try {
        resolve((JSON.parse(out) as { killed: number }).killed);
      } catch {
        reject(new Error(`agent reaper sweep printed ${JSON.stringify(out)}`));
      }
    });
  });
}

export interface RunningAgentReaper {
  /** The watcher's pid (for tests and diagnostics). */
  readonly pid: number | undefined;
  /** Closes the lifeline: the watcher sweeps one last time and exits. Resolves once it has. */
  close(): Promise<void>;
}

/** Starts the watcher. It does not keep this process alive. */
export function startAgentReaper(
  options: AgentReaperOptions & { readonly onUnexpectedExit?: (code: number | null) => void },
): RunningAgentReaper {
  const child: ChildProcess = spawn(
    options.nodePath ?? process.execPath,
    [REAPER_SCRIPT, "watch", options.marker],
    // Own group, so a signal to the server's group cannot kill it before it has swept.
    { stdio: ["pipe", "ignore", "ignore"], detached: true, env: REAPER_ENV },
  );
  let closing = false;
  const exited = new Promise<void>((resolve) => {
    child.once("exit", (code) => {
      if (!closing) options.onUnexpectedExit?.(code);
      resolve();
    });
    child.once("error", () => resolve());
  });
  child.stdin?.on("error", () => {});
  const stdin = child.stdin as unknown as { ref?: () => void; unref?: () => void } | null;
  child.unref();
  stdin?.unref?.();
  return {
    pid: child.pid,
    close: async () => {
      closing = true;
      // Held again so this process waits for the last sweep instead of exiting under it.
      child.ref();
      stdin?.ref?.();
      child.stdin?.end();
      await exited;
    },
  };
}
