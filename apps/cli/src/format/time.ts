const pad = (value: number, width = 2) => String(value).padStart(width, "0");

/** Local wall time `12:03:04.120`, prefixed with the date when the event is not from today. */
export function formatTime(timestampMs: number, nowMs: number): string {
  const at = new Date(timestampMs);
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}.${pad(at.getMilliseconds(), 3)}`;
  return sameLocalDay(at, new Date(nowMs)) ? time : `${formatDate(at)} ${time}`;
}

export function formatDate(at: Date): string {
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

/** `2025-01-31 12:03:04` in local time, for creation dates. */
export function formatDateTime(timestampMs: number): string {
  const at = new Date(timestampMs);
  return `${formatDate(at)} ${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
}

function sameLocalDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}
