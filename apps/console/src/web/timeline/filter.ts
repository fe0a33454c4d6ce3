import type { OriginName } from "@openaxon/client";
import type { TimelineItem } from "./timeline-model.js";

export interface TimelineFilter {
  /** Substring of an event type, e.g. "gateway." or "turn.tool". */
  readonly type: string;
  readonly origin: OriginName | "";
}

export const NO_FILTER: TimelineFilter = { type: "", origin: "" };

export function isFiltering(filter: TimelineFilter): boolean {
  return filter.type.trim() !== "" || filter.origin !== "";
}

/** An item matches when one of its events does. */
export function matches(item: TimelineItem, filter: TimelineFilter): boolean {
  const type = filter.type.trim();
  return item.events.some(
    (e) =>
      (type === "" || e.eventType.includes(type)) && (filter.origin === "" || e.origin === filter.origin),
  );
}
