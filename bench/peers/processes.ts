import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, createWriteStream, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

// The systems under test as child processes on 127.0.0.1, each in its own temp dir. Every child is
// tracked so that exit, SIGINT and SIGTERM stop them all: none outlives the bench.

export interface SystemProcess {
  readonly name: string;
  readonly pid: number;
  /** host:port or URL to connect to. */
  readonly address: string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", () => {
    for (const child of running) child.kill("SIGKILL");
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      for (const child of running) child.kill("SIGKILL");
      process.exit(130);
    });
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Spawns `command` and resolves with the first match of `ready` in its stdout or stderr. */
async function launch(
  name: string,
  command: string,
  args: readonly string[],
  ready: RegExp,
  cwd: string,
): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  hookExit();
  const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let output = "";
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = output.match(ready);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${output}`));
    });
  });
  // e.g. BENCH_CHILD_LOG=/tmp/out BENCH_AXOND_NODE_ARGS=--trace-gc: each child's stdout goes to
  // /tmp/out.<name>.<pid>.
  const logTo = process.env.BENCH_CHILD_LOG;
  if (logTo) child.stdout!.pipe(createWriteStream(`${logTo}.${name.replace(/\W+/g, "-")}.${child.pid}`));
  // Keep draining its output so a chatty child never blocks on a full pipe.
  child.stdout!.resume();
  child.stderr!.resume();
  return { child, match };
}

function stopper(child: ChildProcess, dir: string | undefined) {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  };
}

/** redis-server with AOF on (`everysec` or `always`), RDB snapshots off, loopback only. */
export async function startRedis(fsync: "everysec" | "always"): Promise<SystemProcess> {
  const dir = await mkdtemp(join(tmpdir(), `bench-redis-${fsync}-`));
  const port = await freePort();
  const args = [
    "--bind",
    "127.0.0.1",
    "--port",
    String(port),
    "--dir",
    dir,
    "--save",
    "",
    "--appendonly",
    "yes",
    "--appendfsync",
    fsync,
    "--protected-mode",
    "yes",
    "--daemonize",
    "no",
  ];
  const { child } = await launch(
    `redis (${fsync})`,
    "redis-server",
    args,
    /Ready to accept connections/,
    dir,
  );
  return { name: `redis-${fsync}`, pid: child.pid!, address: `127.0.0.1:${port}`, stop: stopper(child, dir) };
}

/** nats-server with JetStream file storage in a temp dir, loopback, a random port. */
export async function startNats(): Promise<SystemProcess> {
  const dir = await mkdtemp(join(tmpdir(), "bench-nats-"));
  const args = ["-a", "127.0.0.1", "-p", "-1", "-js", "-sd", dir, "--http_port", "0"];
  const { child, match } = await launch(
    "nats-server",
    "nats-server",
    args,
    /Listening for client connections on 127\.0\.0\.1:(\d+)/,
    dir,
  );
  return { name: "jetstream", pid: child.pid!, address: `127.0.0.1:${match[1]}`, stop: stopper(child, dir) };
}

/** The built axond (`npm run build`), if there is one: what an installed axond runs. */
export const builtAxond = new URL("../../apps/axond/dist/main.js", import.meta.url).pathname;

/** The V8 flags axond runs with, as `bin/axond.js` and `npm start` give them. */
const AXOND_NODE_FLAGS = ["--max-semi-space-size=8"];

/**
 * axond itself (apps/axond) over a fresh data dir: from its TypeScript sources through tsx, as
 * `npm start` runs it, or with `built` from dist/ as an installed axond runs (tsx's loader
 * thread alone holds ~50 MiB, which matters where RSS is the measure).
 */
export async function startAxond(options: { built?: boolean } = {}): Promise<SystemProcess> {
  const dir = await mkdtemp(join(tmpdir(), "bench-axond-"));
  const main = new URL("../../apps/axond/src/main.ts", import.meta.url).pathname;
  // e.g. BENCH_AXOND_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile axond under load.
  const nodeArgs = (process.env.BENCH_AXOND_NODE_ARGS ?? "").split(" ").filter((a) => a !== "");
  const args = [
    ...AXOND_NODE_FLAGS,
    ...nodeArgs,
    ...(options.built ? [builtAxond] : ["--conditions=source", "--import", "tsx", main]),
    "--listen",
    "127.0.0.1:0",
    "--data-dir",
    join(dir, "data"),
    "--log-level",
    "warn",
    "--sandbox",
    "off",
  ];
  // From the repo root, where `--import tsx` resolves.
  const root = new URL("../..", import.meta.url).pathname;
  const { child, match } = await launch("axond", process.execPath, args, /axond listening on (\S+)/, root);
  return { name: "axond", pid: child.pid!, address: match[1]!, stop: stopper(child, dir) };
}

/**
 * null-axond (null-axond.ts): axond's wire with no store behind it, so the same generator shows
 * what its client and the protocol cost on their own.
 */
export async function startNullAxond(): Promise<SystemProcess> {
  const main = new URL("./null-axond.ts", import.meta.url).pathname;
  const root = new URL("../..", import.meta.url).pathname;
  const args = ["--conditions=source", "--import", "tsx", main];
  const { child, match } = await launch(
    "null-axond",
    process.execPath,
    args,
    /null-axond listening on (\S+)/,
    root,
  );
  return { name: "null-axond", pid: child.pid!, address: match[1]!, stop: stopper(child, undefined) };
}

/** Which peer binaries exist, with the install hint for the missing ones. */
export function missingBinaries(): string[] {
  const missing: string[] = [];
  for (const bin of ["redis-server", "nats-server"]) {
    const found = (process.env.PATH ?? "").split(":").some((p) => {
      try {
        accessSync(join(p, bin), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
    if (!found) missing.push(bin);
  }
  return missing;
}

/** Resident set size of a process in MiB (VmRSS), or undefined once it is gone. */
export function rssMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = Number(status.match(/VmRSS:\s+(\d+)/)?.[1]);
    return Number.isFinite(kb) ? kb / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system, all threads) a process has used. */
/**
 * Waits until the process has used under `quietShare` of one core over `windowMs` (background
 * work such as LevelDB compactions or Redis AOF rewrites left by the previous scenario has
 * finished), for at most `maxMs`. Resolves with the seconds waited.
 */
export async function settled(
  pid: number,
  quietShare = 0.05,
  windowMs = 500,
  maxMs = 60_000,
): Promise<number> {
  const start = performance.now();
  for (;;) {
    const cpu0 = processCpuSeconds(pid);
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const used = processCpuSeconds(pid) - cpu0;
    const waited = (performance.now() - start) / 1000;
    if (!(used > (quietShare * windowMs) / 1000) || waited * 1000 >= maxMs) return waited;
  }
}

export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}
