import { Code, ConnectError } from "@connectrpc/connect";
import {
  Origin,
  PayloadTooLargeSchema,
  type PublishBatchRequest,
  type PublishRequest,
} from "@openaxon/protocol";
import type { AppendOptions, EventInput } from "@openaxon/store";
import { invalidArgument } from "./errors.js";
import { findJsonSyntaxError } from "./json-syntax-error.js";
import { requireAxonId, toSequence } from "./validate-fields.js";

export const DEFAULT_MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;
export const MAX_SOURCE_LENGTH = 256;
export const MAX_EVENT_TYPE_LENGTH = 256;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 256;
export const MAX_BATCH_EVENTS = 1000;

export const EVENT_TYPE_CHARSET = /^[A-Za-z0-9._:/-]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

export interface ValidatedPublish {
  readonly axonId: string;
  readonly events: EventInput[];
  readonly options: AppendOptions;
}

interface EventFields {
  readonly origin: Origin;
  readonly source: string;
  readonly eventType: string;
  readonly payload: string;
  /** Set by the wire decoders when the payload's bytes were found to be a JSON text (json-text.ts). */
  readonly payloadIsJson?: boolean;
}

/** Checks one event; `path` prefixes field names in messages ("" or "events[3]."). */
export function validateEventInput(fields: EventFields, path: string, maxPayloadBytes: number): EventInput {
  validateOrigin(fields.origin, path);
  validateSource(fields.source, path);
  validateEventType(fields.eventType, path);
  validatePayload(fields.payload, path, maxPayloadBytes, fields.payloadIsJson === true);
  return {
    origin: fields.origin as EventInput["origin"],
    source: fields.source,
    eventType: fields.eventType,
    payload: fields.payload,
  };
}

/** The request fields validation reads (a PublishRequest, or a plain object in tests). */
export type PublishFields = Omit<PublishRequest, "$typeName"> & { readonly payloadIsJson?: boolean };
export type PublishBatchFields = Omit<PublishBatchRequest, "$typeName" | "events"> & {
  readonly events: readonly EventFields[];
};

export function validatePublishRequest(request: PublishFields, maxPayloadBytes: number): ValidatedPublish {
  const axonId = requireAxonId(request.axonId);
  const event = validateEventInput(request, "", maxPayloadBytes);
  return { axonId, events: [event], options: appendOptions(request.idempotencyKey, request.expectedHead) };
}

export function validatePublishBatchRequest(
  request: PublishBatchFields,
  maxPayloadBytes: number,
): ValidatedPublish {
  const axonId = requireAxonId(request.axonId);
  const count = request.events.length;
  if (count === 0) throw invalidArgument("events is empty: a batch needs at least one event");
  if (count > MAX_BATCH_EVENTS) {
    throw invalidArgument(
      `events has ${count} entries; a batch holds at most ${MAX_BATCH_EVENTS} — split it into several batches`,
    );
  }
  const events = request.events.map((e, i) => validateEventInput(e, `events[${i}].`, maxPayloadBytes));
  return { axonId, events, options: appendOptions(request.idempotencyKey, request.expectedHead) };
}

function appendOptions(idempotencyKey: string, expectedHead: bigint | undefined): AppendOptions {
  if (idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw invalidArgument(
      `idempotency_key is ${idempotencyKey.length} characters; the limit is ${MAX_IDEMPOTENCY_KEY_LENGTH}`,
    );
  }
  return {
    ...(idempotencyKey !== "" && { idempotencyKey }),
    ...(expectedHead !== undefined && { expectedHead: toSequence(expectedHead, "expected_head") }),
  };
}

function validateOrigin(origin: Origin, path: string): void {
  switch (origin) {
    case Origin.USER_EVENT:
    case Origin.EXTERNAL_EVENT:
    case Origin.AGENT_EVENT:
      return;
    case Origin.SYSTEM_EVENT:
      throw new ConnectError(
        `${path}origin ORIGIN_SYSTEM_EVENT is reserved for the server; publish as ORIGIN_USER_EVENT, ORIGIN_EXTERNAL_EVENT or ORIGIN_AGENT_EVENT`,
        Code.PermissionDenied,
      );
    case Origin.UNSPECIFIED:
      throw invalidArgument(
        `${path}origin is required: set ORIGIN_USER_EVENT, ORIGIN_EXTERNAL_EVENT or ORIGIN_AGENT_EVENT`,
      );
    default:
      throw invalidArgument(
        `${path}origin ${origin} is not a known origin: use ORIGIN_USER_EVENT, ORIGIN_EXTERNAL_EVENT or ORIGIN_AGENT_EVENT`,
      );
  }
}

function validateSource(source: string, path: string): void {
  if (source === "") throw invalidArgument(`${path}source is required (who wrote the event, e.g. "cli")`);
  if (source.length > MAX_SOURCE_LENGTH) {
    throw invalidArgument(`${path}source is ${source.length} characters; the limit is ${MAX_SOURCE_LENGTH}`);
  }
  if (CONTROL_CHARACTERS.test(source))
    throw invalidArgument(`${path}source must not contain control characters`);
}

function validateEventType(eventType: string, path: string): void {
  if (eventType === "") {
    throw invalidArgument(`${path}event_type is required (e.g. "user.message")`);
  }
  if (eventType.length > MAX_EVENT_TYPE_LENGTH) {
    throw invalidArgument(
      `${path}event_type is ${eventType.length} characters; the limit is ${MAX_EVENT_TYPE_LENGTH}`,
    );
  }
  if (!EVENT_TYPE_CHARSET.test(eventType)) {
    const shown = eventType.length > 64 ? `${eventType.slice(0, 64)}…` : eventType;
    throw invalidArgument(
      `${path}event_type ${JSON.stringify(shown)} may only contain letters, digits and . _ : / - (e.g. "user.message")`,
    );
  }
}

function validatePayload(payload: string, path: string, maxPayloadBytes: number, isJson: boolean): void {
  // Size first: never parse an oversized payload. UTF-8 takes at most 3 bytes per UTF-16 code unit,
  // so only payloads that might be too large are measured.
  if (payload.length * 3 > maxPayloadBytes) {
    const size = Buffer.byteLength(payload, "utf8");
    if (size > maxPayloadBytes) throw payloadTooLarge(path, size, maxPayloadBytes);
  }
  if (isJson) return;
  if (payload === "") {
    throw invalidArgument(`${path}payload is empty; it must be JSON text (send "{}" or "null" for no data)`);
  }
  try {
    JSON.parse(payload);
  } catch {
    const where = findJsonSyntaxError(payload);
    throw invalidArgument(
      where
        ? `${path}payload is not valid JSON: ${where.reason} at line ${where.line}, column ${where.column}`
        : `${path}payload is not valid JSON`,
    );
  }
}

function payloadTooLarge(path: string, size: number, maxPayloadBytes: number): ConnectError {
  return new ConnectError(
    `${path}payload is ${size} bytes; the limit is ${maxPayloadBytes} bytes (${formatBytes(maxPayloadBytes)}) — store large data elsewhere and publish a reference`,
    Code.ResourceExhausted,
    undefined,
    [
      {
        desc: PayloadTooLargeSchema,
        value: { sizeBytes: BigInt(size), limitBytes: BigInt(maxPayloadBytes) },
      },
    ],
  );
}

function formatBytes(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}
