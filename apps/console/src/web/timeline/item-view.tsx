import type { PermissionOptionPayload } from "@openaxon/protocol/vocabulary";
import { memo } from "preact/compat";
import { formatDuration, formatTime } from "../format.js";
import { renderMarkdown } from "../markdown.js";
import type { TimelineItem } from "./timeline-model.js";

export interface ItemViewProps {
  readonly item: TimelineItem;
  readonly selected: boolean;
  onSelect(item: TimelineItem): void;
  onAnswer(requestId: string, answer: { optionId: string } | "rejected"): void;
}

/** One row of the timeline; clicking it opens its raw events. */
export const ItemView = memo(function ItemView({ item, selected, onSelect, onAnswer }: ItemViewProps) {
  const first = item.events[0]!;
  const last = item.events[item.events.length - 1]!;
  const seq = first.sequence === last.sequence ? `${first.sequence}` : `${first.sequence}–${last.sequence}`;
  return (
    // biome-ignore lint/a11y/useSemanticElements: a row holding buttons cannot itself be a button
    <div
      class={`item kind-${item.kind} from-${first.origin}${item.turnId ? " in-turn" : ""}${selected ? " selected" : ""}`}
      data-seq={first.sequence}
      data-kind={item.kind}
      role="button"
      tabIndex={0}
      onClick={() => onSelect(item)}
      onKeyDown={(e) => {
        if (e.target === e.currentTarget && (e.key === "Enter" || e.key === " ")) {
          e.preventDefault();
          onSelect(item);
        }
      }}
    >
      <div class="meta">
        <span class="seq">#{seq}</span>
        <span class="time">{formatTime(first.timestampMs).slice(11)}</span>
        <span class={`origin origin-${first.origin}`}>{first.origin}</span>
        <span class="type">{first.eventType}</span>
      </div>
      <div class="body">
        <ItemBody item={item} onAnswer={onAnswer} />
      </div>
    </div>
  );
});

function ItemBody({ item, onAnswer }: Pick<ItemViewProps, "item" | "onAnswer">) {
  switch (item.kind) {
    case "prompt":
      return <div class="prompt">{item.text}</div>;
    case "text":
      return (
        <div
          class={item.thought ? "markdown thought" : "markdown"}
          // Sanitised by DOMPurify in renderMarkdown.
          dangerouslySetInnerHTML={{ __html: renderMarkdown(item.text) }}
        />
      );
    case "tool":
      return (
        <div class="tool">
          <span class="tool-kind">{item.toolKind || "tool"}</span>{" "}
          <span class="tool-title">{item.title}</span>{" "}
          <span class={`status status-${item.status}`}>{item.status}</span>
          {item.durationMs !== undefined && <span class="muted"> {formatDuration(item.durationMs)}</span>}
        </div>
      );
    case "permission":
      return <PermissionBody item={item} onAnswer={onAnswer} />;
    case "turn-start":
      return <div class="muted">{item.turnId} started</div>;
    case "turn-end":
      return (
        <div class={item.failed ? "turn-failed" : "turn-completed"}>
          {item.turnId} {item.failed ? "failed" : "completed"}: <b>{item.reason}</b>
        </div>
      );
    case "event":
      return <div class="summary">{item.summary}</div>;
  }
}

function PermissionBody({
  item,
  onAnswer,
}: {
  item: Extract<TimelineItem, { kind: "permission" }>;
  onAnswer: ItemViewProps["onAnswer"];
}) {
  const allow =
    item.options.find((o) => o.kind === "allow_once") ?? item.options.find((o) => o.kind.startsWith("allow"));
  const deny =
    item.options.find((o) => o.kind === "reject_once") ??
    item.options.find((o) => o.kind.startsWith("reject"));
  const answered = item.answer === undefined ? undefined : describeAnswer(item.answer, item.options);
  const click = (answer: { optionId: string } | "rejected") => (event: MouseEvent) => {
    event.stopPropagation();
    onAnswer(item.requestId, answer);
  };
  return (
    <div class="permission">
      <span>
        Permission requested: <b>{item.title}</b>
      </span>{" "}
      {answered ? (
        <span class={`answer answer-${answered.allowed ? "allow" : "deny"}`}>{answered.text}</span>
      ) : (
        <span class="buttons">
          <button
            type="button"
            class="primary"
            disabled={!allow}
            onClick={click({ optionId: allow?.option_id ?? "" })}
          >
            Allow
          </button>
          <button
            type="button"
            class="danger"
            onClick={click(deny ? { optionId: deny.option_id } : "rejected")}
          >
            Deny
          </button>
        </span>
      )}
    </div>
  );
}

function describeAnswer(answer: string, options: readonly PermissionOptionPayload[]) {
  if (answer === "rejected") return { allowed: false, text: "Denied" };
  const option = options.find((o) => o.option_id === answer);
  const allowed = option?.kind.startsWith("allow") ?? false;
  return { allowed, text: `${allowed ? "Allowed" : "Denied"} (${option?.name ?? answer})` };
}
