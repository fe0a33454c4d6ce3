/**
 * Validators for the payloads OpenAxon acts on. Each returns the typed payload or an error message a
 * person can act on; none throws, so a malformed event is reported, never crashes a reader.
 */
import type {
  ContentBlock,
  PermissionResponsePayload,
  PromptContent,
  RuntimeFieldChange,
  RuntimeUpdatedPayload,
  SessionLoadPayload,
  TurnCancelPayload,
} from "./payloads.js";

export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: string };

type Json = Record<string, unknown>;

/** The payload as a JSON object, or undefined for invalid JSON and non-objects. */
export function parseJsonObject(payload: string): Json | undefined {
  try {
    const value: unknown = JSON.parse(payload);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

/** Loose check: the broker passes blocks through to the agent, which knows their details. */
export function isContentBlock(value: unknown): value is ContentBlock {
  return (
    value !== null && typeof value === "object" && typeof (value as { type?: unknown }).type === "string"
  );
}

export function parseUserMessage(payload: string): Parsed<{ content: PromptContent }> {
  const content = parseJsonObject(payload)?.content;
  if (typeof content === "string") return { ok: true, value: { content } };
  if (Array.isArray(content) && content.every(isContentBlock)) return { ok: true, value: { content } };
  return { ok: false, error: "user.message payload must be {content: string | ContentBlock[]}" };
}

export function parseTurnCancel(payload: string): Parsed<TurnCancelPayload> {
  const body = parseJsonObject(payload);
  if (!body) return { ok: false, error: "turn.cancel payload must be a JSON object, e.g. {} or {turn_id}" };
  if (body.turn_id === undefined) return { ok: true, value: {} };
  if (typeof body.turn_id !== "string") return { ok: false, error: "turn.cancel turn_id must be a string" };
  return { ok: true, value: { turn_id: body.turn_id } };
}

export function parsePermissionResponse(payload: string): Parsed<PermissionResponsePayload> {
  const body = parseJsonObject(payload);
  const requestId = body?.request_id;
  if (typeof requestId !== "string" || requestId === "") {
    return {
      ok: false,
      error: "permission.response needs request_id (the turn.permission_request's request_id)",
    };
  }
  if (typeof body?.option_id === "string")
    return { ok: true, value: { request_id: requestId, option_id: body.option_id } };
  if (body?.outcome === "rejected")
    return { ok: true, value: { request_id: requestId, outcome: "rejected" } };
  return { ok: false, error: 'permission.response needs option_id, or outcome: "rejected"' };
}

/** The `turn_id` of a turn event, if it has one. */
export function turnIdOf(event: {
  readonly eventType: string;
  readonly payload: string;
}): string | undefined {
  if (!event.eventType.startsWith("turn.")) return undefined;
  const id = parseJsonObject(event.payload)?.turn_id;
  return typeof id === "string" ? id : undefined;
}

/** `runtime.updated` as readers act on it (the broker decides from `resume_session`). */
export function parseRuntimeUpdated(payload: string): Parsed<RuntimeUpdatedPayload> {
  const body = parseJsonObject(payload);
  if (!body) return { ok: false, error: "runtime.updated payload must be a JSON object" };
  const { runtime_id, axon_id, changes, resume_session } = body;
  if (typeof runtime_id !== "string" || runtime_id === "") {
    return { ok: false, error: "runtime.updated needs runtime_id (the runtime that changed)" };
  }
  if (typeof axon_id !== "string" || axon_id === "") {
    return { ok: false, error: "runtime.updated needs axon_id (the mount that changed)" };
  }
  if (typeof resume_session !== "boolean") {
    return { ok: false, error: "runtime.updated needs resume_session (true or false)" };
  }
  if (!Array.isArray(changes) || !changes.every(isFieldChange)) {
    return { ok: false, error: "runtime.updated changes must be a list of {field, old, new}" };
  }
  return { ok: true, value: { runtime_id, axon_id, changes, resume_session } };
}

function isFieldChange(value: unknown): value is RuntimeFieldChange {
  if (value === null || typeof value !== "object") return false;
  const change = value as Record<string, unknown>;
  return typeof change.field === "string" && change.field !== "" && "old" in change && "new" in change;
}

export function parseSessionLoad(payload: string): Parsed<SessionLoadPayload> {
  const id = parseJsonObject(payload)?.session_id;
  if (typeof id !== "string" || id === "") {
    return {
      ok: false,
      error: "session.load needs session_id (an agent_session_id from a session.started event)",
    };
  }
  return { ok: true, value: { session_id: id } };
}
