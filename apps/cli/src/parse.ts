import { InvalidArgumentError } from "commander";
import { UsageError } from "./errors.js";

/** Commander argument parser for sequences and limits. */
export function parseNonNegativeInt(flag: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
      throw new InvalidArgumentError(`${flag} must be a non-negative integer.`);
    }
    return Number(value);
  };
}

/** Collects repeated `--label key=value` flags. */
export function collectLabel(value: string, labels: Record<string, string> = {}): Record<string, string> {
  const at = value.indexOf("=");
  if (at <= 0) throw new InvalidArgumentError("--label takes key=value.");
  return { ...labels, [value.slice(0, at)]: value.slice(at + 1) };
}

/** Collects a repeated flag into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Checks a payload locally so a typo is a clear message, not a server round trip. Returns the
 * text unchanged: the server stores exactly what was given.
 */
export function validatePayload(text: string): string {
  try {
    JSON.parse(text);
    return text;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(
      `invalid JSON payload: ${reason}\n  the payload must be JSON, e.g. axon publish ID --type user.message '{"text":"hi"}'`,
    );
  }
}
