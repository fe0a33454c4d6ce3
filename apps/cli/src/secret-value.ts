import { ExitWith, UsageError } from "./errors.js";
import { type CliIo, readAll } from "./io.js";

/**
 * Where `axon secret create` gets the value: an environment variable (`--from-env`), a hidden
 * prompt on a terminal, or stdin. Never argv: it would land in shell history and `ps`.
 */
export async function readSecretValue(io: CliIo, name: string, fromEnv: string | undefined): Promise<string> {
  if (fromEnv !== undefined) {
    const value = io.env[fromEnv];
    if (value === undefined || value === "") {
      throw new UsageError(`--from-env ${fromEnv}: the variable is not set (or empty)`);
    }
    return value;
  }
  const value = io.stdin.isTTY
    ? await promptHidden(io, `value for secret ${name} (input hidden): `)
    : stripFinalNewline(await readAll(io.stdin));
  if (value === "") {
    throw new UsageError(
      `no value for secret ${name}: pipe it in (printf %s "$KEY" | axon secret create ${name}), use --from-env VAR, or type it at the prompt`,
    );
  }
  return value;
}

/** `echo "$KEY" | axon secret create` adds a newline that is not part of the key. */
export function stripFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, "");
}

interface RawTty extends NodeJS.ReadableStream {
  setRawMode?(mode: boolean): void;
}

/** Reads one line from a terminal without echoing it. Ctrl-C aborts (exit 130), Ctrl-D ends the input. */
export function promptHidden(io: CliIo, prompt: string): Promise<string> {
  const stdin = io.stdin as RawTty;
  io.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = "";
    const finish = (error?: Error) => {
      stdin.setRawMode?.(false);
      stdin.off("data", onData);
      stdin.pause();
      io.stderr.write("\n");
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const char of chunk.toString()) {
        if (char === "\r" || char === "\n" || char === "\u0004") return finish();
        if (char === "\u0003") return finish(new ExitWith(130));
        if (char === "\u007f" || char === "\b") value = value.slice(0, -1);
        else if (char >= " ") value += char;
      }
    };
    stdin.setRawMode?.(true);
    stdin.on("data", onData);
    stdin.resume();
  });
}
