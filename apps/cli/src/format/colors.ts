import picocolors from "picocolors";

export type Colors = ReturnType<typeof picocolors.createColors>;

/**
 * Colours only for a terminal, never when NO_COLOR is set (https://no-color.org); FORCE_COLOR
 * turns them on for a pipe.
 */
export function colorsFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): Colors {
  return picocolors.createColors(useColor(stream, env));
}

export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true && env.TERM !== "dumb";
}
