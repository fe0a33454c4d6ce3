import type { CreateAxonRequest, Retention as RetentionProto, UpdateAxonRequest } from "@openaxon/protocol";
import type { AxonUpdate, Retention } from "@openaxon/store";
import { invalidArgument } from "./errors.js";
import { requireAxonId } from "./validate-fields.js";

export const MAX_NAME_LENGTH = 256;
export const MAX_LABELS = 64;
export const MAX_LABEL_KEY_LENGTH = 128;
export const MAX_LABEL_VALUE_LENGTH = 256;

const LABEL_KEY = /^[A-Za-z0-9._/-]+$/;

/** The update_mask paths UpdateAxon accepts. */
export const UPDATE_AXON_PATHS = [
  "name",
  "labels",
  "retention",
  "retention.max_age_ms",
  "retention.max_events",
  "retention.max_bytes",
] as const;

export function validateCreateAxon(request: CreateAxonRequest): {
  name: string;
  labels: Record<string, string>;
  retention?: Retention;
} {
  const retention = request.retention && validateRetention(request.retention);
  return {
    name: validateName(request.name),
    labels: validateLabels(request.labels),
    ...(retention && { retention }),
  };
}

/** The axon id and the store update an UpdateAxon asks for; every mask path is checked first. */
export function validateUpdateAxon(request: UpdateAxonRequest): { id: string; update: AxonUpdate } {
  const id = requireAxonId(request.id, "id");
  const paths = request.updateMask?.paths ?? [];
  if (paths.length === 0) {
    throw invalidArgument(
      `update_mask is required: name the fields to change (${UPDATE_AXON_PATHS.join(", ")}); ` +
        "fields not named are left as they are",
    );
  }
  const update: {
    name?: string;
    labels?: Record<string, string>;
    retention?: Retention | null;
    retentionLimits?: { maxAgeMs?: number; maxEvents?: number; maxBytes?: number };
  } = {};
  for (const path of paths) {
    switch (path) {
      case "name":
        update.name = validateName(request.name);
        break;
      case "labels":
        update.labels = validateLabels(request.labels);
        break;
      case "retention":
        update.retention = request.retention ? validateRetention(request.retention) : null;
        break;
      case "retention.max_age_ms":
        update.retentionLimits = {
          ...update.retentionLimits,
          maxAgeMs: limit(request.retention?.maxAgeMs, path),
        };
        break;
      case "retention.max_events":
        update.retentionLimits = {
          ...update.retentionLimits,
          maxEvents: limit(request.retention?.maxEvents, path),
        };
        break;
      case "retention.max_bytes":
        update.retentionLimits = {
          ...update.retentionLimits,
          maxBytes: limit(request.retention?.maxBytes, path),
        };
        break;
      default:
        throw invalidArgument(
          `update_mask path ${JSON.stringify(path.slice(0, 64))} is not one UpdateAxon changes; ` +
            `use ${UPDATE_AXON_PATHS.join(", ")}`,
        );
    }
  }
  return { id, update };
}

/** The wire retention as the store takes it: 0 = off; values beyond 2^53 - 1 are refused. */
export function validateRetention(retention: RetentionProto): Retention {
  return {
    maxAgeMs: limit(retention.maxAgeMs, "retention.max_age_ms"),
    maxEvents: limit(retention.maxEvents, "retention.max_events"),
    maxBytes: limit(retention.maxBytes, "retention.max_bytes"),
  };
}

function limit(value: bigint | undefined, field: string): number {
  if (value === undefined) return 0;
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw invalidArgument(
      `${field} ${value} is too large (at most ${Number.MAX_SAFE_INTEGER}; 0 turns the limit off)`,
    );
  }
  return Number(value);
}

function validateName(name: string): string {
  if (name.length > MAX_NAME_LENGTH) {
    throw invalidArgument(`name is ${name.length} characters; the limit is ${MAX_NAME_LENGTH}`);
  }
  return name;
}

function validateLabels(labels: Record<string, string>): Record<string, string> {
  const entries = Object.entries(labels);
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
  return Object.fromEntries(entries);
}
