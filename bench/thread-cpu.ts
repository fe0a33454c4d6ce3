import { readFileSync } from "node:fs";

// Per-thread CPU time from Linux's /proc (Node 20 has no process.threadCpuUsage). Read synchronously
// so "thread-self" is the calling JS thread. Undefined where /proc is unavailable.
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) of one thread: `tid` in this process, or the calling thread. */
export function threadCpuSeconds(tid?: number): number | undefined {
  try {
    const path = tid === undefined ? "/proc/thread-self/stat" : `/proc/self/task/${tid}/stat`;
    const stat = readFileSync(path, "utf8");
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 of the line.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** The main thread, where the bench server runs: on Linux its thread id is the process id. */
export function mainThreadCpuSeconds(): number | undefined {
  return threadCpuSeconds(process.pid);
}
