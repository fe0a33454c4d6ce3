import type { LoadResult } from "./load.js";
import { mainThreadCpuSeconds, threadCpuSeconds } from "./thread-cpu.js";

/**
 * CPU from now on: the whole process (process.cpuUsage is process-wide, so it counts the server's
 * thread too) and, where /proc allows, the server's and this load generator's threads apart.
 */
export function startCpu() {
  const process0 = process.cpuUsage();
  const server0 = mainThreadCpuSeconds();
  const client0 = threadCpuSeconds();
  return {
    since(): Pick<LoadResult, "cpuSeconds" | "threads"> {
      const used = process.cpuUsage(process0);
      const server = mainThreadCpuSeconds();
      const client = threadCpuSeconds();
      const threads =
        server0 !== undefined && client0 !== undefined && server !== undefined && client !== undefined
          ? { serverSeconds: server - server0, clientSeconds: client - client0 }
          : undefined;
      return { cpuSeconds: (used.user + used.system) / 1e6, ...(threads && { threads }) };
    },
  };
}
