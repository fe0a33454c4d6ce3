import type { CreateAxonRequest } from "@openaxon/protocol";
import { invalidArgument } from "./errors.js";

export const MAX_NAME_LENGTH = 256;
export const MAX_LABELS = 64;
export const MAX_LABEL_KEY_LENGTH = 128;
export const MAX_LABEL_VALUE_LENGTH = 256;

const LABEL_KEY = /^[A-Za-z0-9._/-]+$/;

export function validateCreateAxon(request: CreateAxonRequest): {
  name: string;
  labels: Record<string, string>;
} {
  if (request.name.length > MAX_NAME_LENGTH) {
    throw invalidArgument(`name is ${request.name.length} characters; the limit is ${MAX_NAME_LENGTH}`);
  }
  const entries = Object.entries(request.labels);
  if (entries.length > MAX_LABELS) {
    throw invalidArgument(`labels has ${entries.length} entries; the limit is ${MAX_LABELS}`);
  }
  for (const [key, value] of entries) {
    if (key.length === 0 || key.length > MAX_LABEL_KEY_LENGTH || !LABEL_KEY.test(key)) {
      throw invalidArgument(
        `label key ${JSON.stringify(key.slice(0, 64))} must be 1-${MAX_LABEL_KEY_LENGTH} characters of letters, digits and . _ / -`,
      );
    }
    if (value.length > MAX_LABEL_VALUE_LENGTH) {
      throw invalidArgument(
        `label ${JSON.stringify(key)} has a ${value.length}-character value; the limit is ${MAX_LABEL_VALUE_LENGTH}`,
      );
    }
  }
  return { name: request.name, labels: Object.fromEntries(entries) };
}
