import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";

/** A child process whose stdout and stderr a test reads as they arrive. */
export interface CollectingChild {
  readonly child: ChildProcessWithoutNullStreams;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Set once the child has exited; undefined while it runs. */
  readonly exitCode: number | null | undefined;
  /** Non-empty stdout lines so far. */
  lines(): string[];
  stderr(): string;
}

export function spawnCollecting(
  command: string,
  args: readonly string[],
  env?: NodeJS.ProcessEnv,
): CollectingChild {
  const child = spawn(command, [...args], { env });
  let stdout = "";
  let stderr = "";
  let exitCode: number | null | undefined;
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      exitCode = code;
      resolve(code);
    }),
  );
  return {
    child,
    exited,
    get exitCode() {
      return exitCode;
    },
    lines: () => stdout.split("\n").filter((line) => line !== ""),
    stderr: () => stderr,
  };
}
