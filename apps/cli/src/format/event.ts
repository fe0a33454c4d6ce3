import type { AxonEvent, OriginName } from "@openaxon/client";
import type { Colors } from "./colors.js";
import { formatTime } from "./time.js";

/** `#7  12:03:04.120  user  user.message  cli  {"text":"hi"}` */
export function formatEventLine(event: AxonEvent, colors: Colors, nowMs: number): string {
  return [
    colors.bold(`#${event.sequence}`),
    colors.dim(formatTime(event.timestampMs, nowMs)),
    colorOrigin(event.origin, colors),
    colors.bold(event.eventType),
    colors.dim(event.source),
    compactJson(event.payload),
  ].join("  ");
}

/**
 * One JSON object per line with stable, camelCase field names. `payload` is embedded as JSON (not a
 * string) so `jq .payload.text` works; `time` is the ISO form of `timestampMs`.
 */
export function formatEventJson(event: AxonEvent): string {
  const head = JSON.stringify({
    sequence: event.sequence,
    axonId: event.axonId,
    timestampMs: event.timestampMs,
    time: new Date(event.timestampMs).toISOString(),
    origin: event.origin,
    source: event.source,
    eventType: event.eventType,
  });
  return `${head.slice(0, -1)},"payload":${compactJson(event.payload)}}`;
}

/**
 * The server only stores valid JSON, so it can be embedded verbatim; only text with line breaks
 * (pretty-printed by its publisher) is re-serialised to keep one event per line.
 */
export function compactJson(payload: string): string {
  if (!/[\n\r]/.test(payload)) return payload;
  try {
    return JSON.stringify(JSON.parse(payload));
  } catch {
    return JSON.stringify(payload);
  }
}

function colorOrigin(origin: OriginName, colors: Colors): string {
  const label = origin.padEnd(8);
  switch (origin) {
    case "user":
      return colors.green(label);
    case "external":
      return colors.magenta(label);
    case "agent":
      return colors.cyan(label);
    case "system":
      return colors.yellow(label);
    default:
      return label;
  }
}
