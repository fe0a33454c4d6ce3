import { nameProblems } from "./names.js";

/** The credential gateway refuses shorter secrets: they cannot be scrubbed from responses safely. */
export const MIN_SECRET_LENGTH = 8;
export const MAX_SECRET_LENGTH = 16 * 1024;

export interface CreateSecretInput {
  readonly name: string;
  /** Write-only: sealed at once, never returned. */
  readonly value: string;
}

// Visible ASCII and space: the value goes into an HTTP header as is (HEADER, BEARER).
const HEADER_SAFE = /^[\u0020-\u007e]*$/;

/**
 * Every problem with a new secret. The messages describe the value without quoting any of it —
 * not even a prefix or its length — because error messages travel to clients and logs.
 */
export function secretInputProblems(input: CreateSecretInput): string[] {
  const problems = nameProblems(input.name);
  const { value } = input;
  if (value === "") problems.push("value is required");
  else if (value.length < MIN_SECRET_LENGTH) {
    problems.push(
      `value is shorter than ${MIN_SECRET_LENGTH} characters; shorter secrets cannot be scrubbed from responses safely`,
    );
  } else if (value.length > MAX_SECRET_LENGTH) {
    problems.push(`value is longer than ${MAX_SECRET_LENGTH} characters`);
  }
  if (!HEADER_SAFE.test(value)) {
    problems.push(
      "value must be printable ASCII without line breaks or control characters (it is sent in an HTTP header)",
    );
  } else if (value !== value.trim()) {
    problems.push("value has leading or trailing spaces (a copy-and-paste accident?)");
  }
  return problems;
}
