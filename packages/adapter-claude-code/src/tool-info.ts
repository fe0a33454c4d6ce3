/**
 * A readable title and an ACP-style kind (read, edit, delete, move, search, execute, think, fetch,
 * other) for a Claude Code tool call, so clients render every agent's tools alike.
 */
export interface ToolInfo {
  readonly title: string;
  readonly kind: string;
}

const KINDS: Readonly<Record<string, string>> = {
  Bash: "execute",
  BashOutput: "execute",
  KillShell: "execute",
  TaskStop: "execute",
  Read: "read",
  NotebookRead: "read",
  Edit: "edit",
  MultiEdit: "edit",
  Write: "edit",
  NotebookEdit: "edit",
  Glob: "search",
  Grep: "search",
  LS: "search",
  ToolSearch: "search",
  WebFetch: "fetch",
  WebSearch: "fetch",
  Task: "think",
  TodoWrite: "think",
  ExitPlanMode: "switch_mode",
  EnterPlanMode: "switch_mode",
};

export function toolInfo(name: string, input: unknown): ToolInfo {
  const fields = (typeof input === "object" && input !== null ? input : {}) as Record<string, unknown>;
  const str = (key: string) => (typeof fields[key] === "string" ? (fields[key] as string) : undefined);
  const kind = KINDS[name] ?? "other";
  const detail =
    name === "Bash"
      ? str("command")
      : (str("file_path") ??
        str("notebook_path") ??
        str("pattern") ??
        str("url") ??
        str("query") ??
        str("description"));
  return { title: detail ? `${name}: ${detail}` : name, kind };
}
