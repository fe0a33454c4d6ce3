/**
 * A readable title and an ACP-style kind (read, edit, search, execute, …) for a Pi tool call, so
 * clients render every agent's tools alike. Pi's built-in tools: read, bash, edit, write, grep,
 * find, ls; extensions may add any other name (kind "other").
 */
export interface ToolInfo {
  readonly title: string;
  readonly kind: string;
}

const KINDS: Readonly<Record<string, string>> = {
  bash: "execute",
  read: "read",
  edit: "edit",
  write: "edit",
  grep: "search",
  find: "search",
  ls: "search",
};

export function toolInfo(name: string, input: unknown): ToolInfo {
  const fields = (typeof input === "object" && input !== null ? input : {}) as Record<string, unknown>;
  const str = (key: string) => (typeof fields[key] === "string" ? (fields[key] as string) : undefined);
  const detail = str("command") ?? str("path") ?? str("pattern");
  return { title: detail ? `${name}: ${detail}` : name, kind: KINDS[name] ?? "other" };
}
