import type { Retention } from "./log-store.js";

/** The oldest retained events, as the decision sees them. */
export interface TrimCandidate {
  readonly sequence: number;
  readonly timestampMs: number;
  /** storedEventBytes of the event. */
  readonly bytes: number;
}

/** What an axon retains: sequences firstSequence..headSequence, retainedBytes of them. */
export interface RetainedLog {
  readonly firstSequence: number;
  readonly headSequence: number;
  readonly retainedBytes: number;
}

/**
 * Which of the oldest retained events retention trims. `events` are the oldest retained events in
 * ascending order starting at `log.firstSequence` (a page: the caller feeds the next page while
 * every event of this one was trimmed). An event goes while the axon holds more than max_events
 * events or more than max_bytes bytes, or while it is older than max_age; every rule is monotone
 * along the log (counts and bytes only shrink, timestamps never go backwards), so what is trimmed is
 * a prefix and what remains is a suffix. Returns how many were trimmed and the log after them.
 */
export function decideTrim(
  log: RetainedLog,
  retention: Retention,
  nowMs: number,
  events: readonly TrimCandidate[],
): { readonly trimmed: number; readonly log: RetainedLog } {
  let { firstSequence, retainedBytes } = log;
  let trimmed = 0;
  for (const event of events) {
    if (event.sequence !== firstSequence) {
      throw new RangeError(`retention was given event ${event.sequence} where ${firstSequence} was due`);
    }
    if (!mustTrim({ firstSequence, headSequence: log.headSequence, retainedBytes }, retention, nowMs, event))
      break;
    firstSequence++;
    retainedBytes -= event.bytes;
    trimmed++;
  }
  return { trimmed, log: { firstSequence, headSequence: log.headSequence, retainedBytes } };
}

/** Whether retention trims `oldest`, the oldest event `log` retains. */
export function mustTrim(
  log: RetainedLog,
  retention: Retention,
  nowMs: number,
  oldest: TrimCandidate,
): boolean {
  const count = log.headSequence - log.firstSequence + 1;
  if (count <= 0) return false;
  if (retention.maxEvents && count > retention.maxEvents) return true;
  if (retention.maxBytes && log.retainedBytes > retention.maxBytes) return true;
  return !!retention.maxAgeMs && oldest.timestampMs < nowMs - retention.maxAgeMs;
}

/** True when the retention sets no limit at all (every field absent or 0). */
export function keepsEverything(retention: Retention | undefined): boolean {
  return !retention?.maxAgeMs && !retention?.maxEvents && !retention?.maxBytes;
}

/** The retention as stored: limits that are off (0, absent) dropped; undefined when none is left. */
export function normalizeRetention(retention: Retention | undefined): Retention | undefined {
  if (!retention) return undefined;
  const kept: { maxAgeMs?: number; maxEvents?: number; maxBytes?: number } = {};
  if (retention.maxAgeMs) kept.maxAgeMs = retention.maxAgeMs;
  if (retention.maxEvents) kept.maxEvents = retention.maxEvents;
  if (retention.maxBytes) kept.maxBytes = retention.maxBytes;
  return keepsEverything(kept) ? undefined : kept;
}
