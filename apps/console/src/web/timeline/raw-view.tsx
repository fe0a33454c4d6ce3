import { formatTime } from "../format.js";
import type { TimelineItem } from "./timeline-model.js";

/** The selected item's events exactly as stored: sequence, time, origin, source, type, payload. */
export function RawView({ item, onClose }: { item: TimelineItem; onClose(): void }) {
  return (
    <aside class="raw" aria-label="Raw events">
      <div class="raw-head">
        <b>Raw events</b>
        <button type="button" class="ghost" onClick={onClose} aria-label="Close raw view">
          ✕
        </button>
      </div>
      {item.events.map((event) => (
        <div key={event.sequence} class="raw-event" data-raw-seq={event.sequence}>
          <dl>
            <dt>sequence</dt>
            <dd>{event.sequence}</dd>
            <dt>time</dt>
            <dd>{formatTime(event.timestampMs)}</dd>
            <dt>origin</dt>
            <dd>{event.origin}</dd>
            <dt>source</dt>
            <dd>{event.source}</dd>
            <dt>type</dt>
            <dd>{event.eventType}</dd>
          </dl>
          <pre class="json">{prettyJson(event.payload)}</pre>
        </div>
      ))}
    </aside>
  );
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
