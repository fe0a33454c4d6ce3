/** How a process ended, as an agent launcher or adapter reports it. */
export interface ExitInfo {
  readonly code: number | null;
  readonly signal: string | null;
  /** Set when the process could not be started at all (e.g. ENOENT). */
  readonly spawnError?: Error;
}

/**
 * A process's end as a verb phrase after its name: "exited with code 1", "was killed by SIGKILL",
 * "could not be started: spawn x ENOENT". The one wording for broker, adapters and runtime.
 */
export function describeExit(info: ExitInfo): string {
  if (info.spawnError) return `could not be started: ${info.spawnError.message}`;
  if (info.signal) return `was killed by ${info.signal}`;
  return `exited with code ${info.code ?? "unknown"}`;
}

/**
 * An error as one line for an event payload or log: its message, else its name, else String().
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
