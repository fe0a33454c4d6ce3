import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
/** Absolute, so the child resolves tsx whatever its cwd. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const LISTENING = /^axond listening on (\S+) \(data: (.+)\)$/m;

export interface AxondProcessOptions {
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Run this executable instead of `node … src/main.ts` (e.g. the `axond` bin). */
  readonly command?: string;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface AxondProcess {
  readonly url: string;
  readonly dataDir: string;
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  /** Sends the signal and waits for the exit. */
  stop(signal: NodeJS.Signals): Promise<Exit>;
}

/** Spawns axond as a real child process; resolves when it prints its listening line. */
export async function startAxondProcess(options: AxondProcessOptions): Promise<AxondProcess> {
  const run = spawnAxond(options);
  let stdout = "";
  const started = await new Promise<RegExpExecArray>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      const match = LISTENING.exec(stdout);
      if (match) {
        run.child.stdout!.off("data", onData);
        resolve(match);
      }
    };
    run.child.stdout!.on("data", onData);
    run.exited.then((exit) =>
      reject(new Error(`axond exited before listening (code ${exit.code}):\n${exit.stderr}`)),
    );
  });
  return {
    url: started[1]!,
    dataDir: started[2]!,
    child: run.child,
    exited: run.exited,
    stop: (signal) => {
      run.child.kill(signal);
      return run.exited;
    },
  };
}

/** Runs axond expecting it to exit by itself (a startup failure). */
export function runAxondToExit(options: AxondProcessOptions): Promise<Exit> {
  return spawnAxond(options).exited;
}

function spawnAxond(options: AxondProcessOptions): { child: ChildProcess; exited: Promise<Exit> } {
  const [command, args] = options.command
    ? [options.command, [...options.args]]
    : [process.execPath, ["--conditions=source", "--import", TSX, MAIN, ...options.args]];
  const child = spawn(command, args, {
    cwd: options.cwd,
    // No inherited OPENAXON_* settings: each test says what it means.
    env: { ...withoutAxondEnv(process.env), ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const exited = new Promise<Exit>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, exited };
}

function withoutAxondEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && !key.startsWith("OPENAXON_")) out[key] = value;
  }
  return out;
}
