import { execFileSync } from "node:child_process";
import os from "node:os";

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
  /** Filesystem of the data dir: fsync cost depends on it more than on the CPU. */
  readonly filesystem: string;
  readonly date: string;
  /** 1-minute load average when the run started: other work on the machine skews every figure. */
  readonly loadAverage: number;
}

export function describeMachine(dataDir: string): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: os.availableParallelism?.() ?? cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    filesystem: filesystemOf(dataDir),
    date: new Date().toISOString().slice(0, 10),
    loadAverage: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}

function filesystemOf(dir: string): string {
  try {
    const out = execFileSync("df", ["-T", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const [device, type] = out.trim().split("\n").at(-1)!.split(/\s+/);
    return `${type} (${device})`;
  } catch {
    return "unknown";
  }
}
