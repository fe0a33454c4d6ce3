import { spawn } from "node:child_process";
import type { Clock, Timer } from "@openaxon/core";
import { HOOK_KILL_GRACE_MS, HOOK_OUTPUT_TAIL_BYTES, type HookOutcome, OutputTail } from "./plan-hook.js";

export interface RunHookOptions {
  readonly clock: Clock;
  /** The executable as spawned (bwrap when sandboxed) and its arguments. */
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** The complete environment; nothing is inherited from this process. */
  readonly env: Readonly<Record<string, string>>;
  readonly deadlineMs: number;
  /** Between SIGTERM at the deadline and SIGKILL. */
  readonly killGraceMs?: number;
  readonly tailBytes?: number;
  /** Aborting kills the hook at once (the server is closing). */
  readonly signal?: AbortSignal;
}

/**
 * Runs one hook process to its end and reports how it ended; never rejects. The hook runs in its
 * own process group (so everything it starts can be signalled together) with stdin closed and
 * stdout and stderr captured into one tail. At the deadline the group gets SIGTERM, then SIGKILL
 * after a grace period. When the hook's main process exits, whatever it left running in its group
 * is killed too: a hook must not leave work behind in a suspended runtime. If the server dies
 * mid-hook, the agent reaper kills it (its env carries OPENAXON_AGENT_HOST like every agent's).
 */
export function runHook(options: RunHookOptions): Promise<HookOutcome> {
  const { clock } = options;
  const started = clock.now();
  const tail = new OutputTail(options.tailBytes ?? HOOK_OUTPUT_TAIL_BYTES);
  return new Promise((resolve) => {
    let timedOut = false;
    let settled = false;
    const timers: Timer[] = [];
    let exit: { code: number | null; signal: string | null } | undefined;
    const child = spawn(options.file, [...options.args], {
      cwd: options.cwd,
      env: { ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const pid = child.pid;
    const killGroup = (signal: NodeJS.Signals) => {
      if (pid === undefined) return;
      try {
        process.kill(-pid, signal);
      } catch {
        // ESRCH: the group is gone.
      }
    };
    const finish = (outcome: Omit<HookOutcome, "durationMs" | "outputTail" | "truncated" | "timedOut">) => {
      if (settled) return;
      settled = true;
      for (const timer of timers) timer.cancel();
      options.signal?.removeEventListener("abort", onAbort);
      resolve({
        ...outcome,
        timedOut,
        durationMs: clock.now() - started,
        outputTail: tail.text(),
        truncated: tail.truncated,
      });
    };
    const terminate = () => {
      killGroup("SIGTERM");
      // Once the leader has exited its group was killed already, and its pid may be reused since.
      timers.push(
        clock.setTimer(options.killGraceMs ?? HOOK_KILL_GRACE_MS, () => {
          if (exit === undefined) killGroup("SIGKILL");
        }),
      );
    };
    const onAbort = () => killGroup("SIGKILL");
    child.stdout.on("data", (chunk: Buffer) => tail.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => tail.push(chunk));
    child.once("error", (error) => finish({ exitCode: null, signal: null, error: error.message }));
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      // Leftovers of the hook (a background job still holding the pipes) go with it.
      killGroup("SIGKILL");
      // One that left the group (setsid) may keep the pipes open for ever: stop reading after a grace.
      timers.push(
        clock.setTimer(options.killGraceMs ?? HOOK_KILL_GRACE_MS, () => {
          child.stdout.destroy();
          child.stderr.destroy();
          finish({ exitCode: code, signal });
        }),
      );
    });
    child.once("close", (code, signal) => {
      const ended = exit ?? { code, signal };
      finish({ exitCode: ended.code, signal: ended.signal });
    });
    if (pid === undefined) return; // 'error' follows
    timers.push(
      clock.setTimer(options.deadlineMs, () => {
        if (exit !== undefined) return;
        timedOut = true;
        terminate();
      }),
    );
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener("abort", onAbort, { once: true });
  });
}
