import { isId } from "@openaxon/core";
import { RESOURCE_KINDS } from "./resource-kinds.js";

export const MAX_NAME_LENGTH = 128;
export const MAX_DESCRIPTION_LENGTH = 1024;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Problems with a resource name, or none. Names are what people type on a command line and what
 * bindings refer to, so they are short, shell-safe, and never shaped like an id (a lookup by "id
 * or name" must not be ambiguous).
 */
export function nameProblems(name: string, field = "name"): string[] {
  if (name === "") return [`${field} is required`];
  if (name.length > MAX_NAME_LENGTH || !NAME.test(name)) {
    return [
      `${field} ${quote(name)} must be 1-${MAX_NAME_LENGTH} letters, digits, ".", "_" or "-", starting with a letter or digit`,
    ];
  }
  if (Object.values(RESOURCE_KINDS).some((kind) => isId(kind.idPrefix, name))) {
    return [`${field} ${quote(name)} looks like an id; choose a name that does not`];
  }
  return [];
}

export function descriptionProblems(description: string, field = "description"): string[] {
  return description.length > MAX_DESCRIPTION_LENGTH
    ? [`${field} is ${description.length} characters; the limit is ${MAX_DESCRIPTION_LENGTH}`]
    : [];
}

/** A user-supplied string, quoted and cut short for an error message. Never pass a secret here. */
export function quote(text: string): string {
  const printable = text.replace(/[^\u0020-\u007e]/g, "?");
  return JSON.stringify(printable.length > 64 ? `${printable.slice(0, 64)}…` : printable);
}
