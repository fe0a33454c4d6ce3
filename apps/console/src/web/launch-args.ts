import { split } from "shlex";

/**
 * The Args field as an argv, split the way a POSIX shell splits words: quotes group them
 * (`--prompt "fix the tests"` is two arguments) and backslashes escape. Nothing is expanded and no
 * shell runs the result: `$VAR`, globs and `&&` reach the agent exactly as typed.
 */
export function parseLaunchArgs(text: string): readonly string[] | { readonly error: string } {
  try {
    return split(text);
  } catch {
    // shlex's only complaints: a quote left open, or a backslash with nothing after it.
    return {
      error: "args: a quote is left open (or a backslash ends the line); close it or escape it with \\",
    };
  }
}
