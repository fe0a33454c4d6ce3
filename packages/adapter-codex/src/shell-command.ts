/**
 * The command the model asked for, from the form Codex runs it in (`/bin/bash -lc '<script>'`),
 * so the axon shows `echo hi` rather than the shell wrapper. Anything else is returned as it is.
 */
export function unwrapShellCommand(command: string): string {
  const match = /^(?:\S*\/)?(?:bash|sh|zsh) -l?c ('(?:[^']|'\\'')*')$/.exec(command);
  if (!match?.[1]) return command;
  // POSIX single quotes: the only escape is closing, an escaped quote, and reopening: '\''.
  return match[1].slice(1, -1).replaceAll("'\\''", "'");
}
