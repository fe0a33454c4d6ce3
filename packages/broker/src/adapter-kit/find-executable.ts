import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { delimiter, isAbsolute, join, resolve } from "node:path";

/**
 * Finds the agent binary the way its spawn will: a path with a `/` relative to the agent's working
 * directory, or a bare name on the agent's own PATH. Throws an error saying what was looked for, so
 * a mistyped `--agent` is refused up front instead of failing every turn.
 */
export async function findExecutable(
  binary: string,
  cwd: string,
  env: Readonly<Record<string, string>>,
): Promise<string> {
  const candidates = binary.includes("/")
    ? [isAbsolute(binary) ? binary : resolve(cwd, binary)]
    : (env.PATH ?? "")
        .split(delimiter)
        .filter((dir) => dir !== "")
        .map((dir) => join(isAbsolute(dir) ? dir : resolve(cwd, dir), binary));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; try the next one.
    }
  }
  throw new Error(
    binary.includes("/")
      ? `agent binary ${binary} is not an executable file`
      : `agent binary ${binary} not found on the agent's PATH (${env.PATH ?? "unset"})`,
  );
}
