import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type CollectingChild, spawnCollecting } from "@openaxon/client/test-support";

export const axonBin = fileURLToPath(new URL("../../bin/axon.js", import.meta.url));

export interface AxonRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Colour and TTY-dependent output off, like a script would see it. */
function cliEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const { OPENAXON_URL: _url, OPENAXON_API_KEY: _key, FORCE_COLOR: _force, ...rest } = process.env;
  return { ...rest, NO_COLOR: "1", ...env };
}

/** Runs the real `axon` bin as a child process. */
export function runAxon(
  args: readonly string[],
  options: { env?: Record<string, string>; stdin?: string } = {},
): Promise<AxonRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [axonBin, ...args],
      { env: cliEnv(options.env ?? {}) },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(options.stdin ?? "");
  });
}

/** Starts `axon` and lets the test read its output as it appears. */
export function spawnAxon(args: readonly string[], env: Record<string, string> = {}): CollectingChild {
  return spawnCollecting(process.execPath, [axonBin, ...args], cliEnv(env));
}

export function jsonLines<T = Record<string, unknown>>(stdout: string): T[] {
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as T);
}
