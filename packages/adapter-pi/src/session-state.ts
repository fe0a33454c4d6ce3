/** What the adapter needs from Pi's `get_state` answer. */
export interface PiSessionState {
  readonly sessionId: string;
  /** Where Pi keeps the session; written once the first reply arrived (Pi saves lazily). */
  readonly sessionFile: string | undefined;
}

export function sessionOf(data: unknown): PiSessionState {
  const state = (typeof data === "object" && data !== null ? data : {}) as Record<string, unknown>;
  if (typeof state.sessionId !== "string" || state.sessionId === "") {
    throw new Error("Pi's get_state named no session (was it started with --no-session?)");
  }
  return {
    sessionId: state.sessionId,
    sessionFile: typeof state.sessionFile === "string" ? state.sessionFile : undefined,
  };
}

/**
 * The id to hand to `--session`, or undefined if it cannot be one of Pi's: Pi takes anything with
 * a slash or ending in `.jsonl` as a file path, so only a plain id (its UUIDs) is passed on.
 */
export function restorableSessionId(id: string): string | undefined {
  return /^[0-9A-Za-z][0-9A-Za-z_-]{0,127}$/.test(id) ? id : undefined;
}
