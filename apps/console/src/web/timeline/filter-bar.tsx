import type { OriginName } from "@openaxon/client";
import { useState } from "preact/hooks";
import type { TimelineFilter } from "./filter.js";

const ORIGINS: readonly (OriginName | "")[] = ["", "user", "agent", "system", "external"];

export function FilterBar(props: {
  filter: TimelineFilter;
  onFilter(filter: TimelineFilter): void;
  onJump(sequence: number): void;
}) {
  const [jump, setJump] = useState("");
  const submitJump = (event: Event) => {
    event.preventDefault();
    const sequence = Number(jump);
    if (Number.isInteger(sequence) && sequence > 0) props.onJump(sequence);
  };
  return (
    <div class="filter-bar">
      <input
        type="search"
        placeholder="Filter by type, e.g. turn.tool or gateway."
        aria-label="Filter by event type"
        value={props.filter.type}
        onInput={(e) => props.onFilter({ ...props.filter, type: e.currentTarget.value })}
      />
      <select
        aria-label="Filter by origin"
        value={props.filter.origin}
        onChange={(e) =>
          props.onFilter({ ...props.filter, origin: e.currentTarget.value as OriginName | "" })
        }
      >
        {ORIGINS.map((o) => (
          <option key={o} value={o}>
            {o === "" ? "any origin" : o}
          </option>
        ))}
      </select>
      <form class="inline-form" onSubmit={submitJump}>
        <input
          inputMode="numeric"
          placeholder="Jump to #"
          aria-label="Jump to sequence"
          value={jump}
          onInput={(e) => setJump(e.currentTarget.value)}
        />
        <button type="submit">Go</button>
      </form>
    </div>
  );
}
