import { readFileSync } from "node:fs";
import { vi } from "vitest";

/** Whether the process runs (a zombie waiting to be reaped by its parent does not count). */
export function isRunning(pid: number): boolean {
  if (process.platform === "linux") {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
      const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
      return state !== "Z" && state !== "X";
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until none of the processes runs (fails after a generous timeout). */
export function allGone(pids: readonly number[], timeout = 10_000): Promise<void> {
  return vi.waitFor(
    () => {
      const alive = pids.filter(isRunning);
      if (alive.length > 0) throw new Error(`still running: ${alive.join(", ")}`);
    },
    { timeout, interval: 25 },
  );
}

/** Best-effort cleanup in afterEach. */
export function killQuietly(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}
