import { EventType } from "@openaxon/protocol/vocabulary";
import { useCallback, useEffect, useState } from "preact/hooks";
import { api, errorText } from "./api.js";
import { ChatBar } from "./chat-bar.js";
import { ErrorBox } from "./error-box.js";
import { formatTime } from "./format.js";
import { type AxonTab, linkTo } from "./router.js";
import { SqlPanel } from "./sql-panel.js";
import { NO_FILTER, type TimelineFilter } from "./timeline/filter.js";
import { FilterBar } from "./timeline/filter-bar.js";
import { GatewayAuditTable } from "./timeline/gateway-audit-table.js";
import { RawView } from "./timeline/raw-view.js";
import type { TimelineItem } from "./timeline/timeline-model.js";
import { TimelineView } from "./timeline/timeline-view.js";
import { useTimeline } from "./timeline/use-timeline.js";
import { useAsync } from "./use-async.js";

const TABS: readonly { readonly tab: AxonTab; readonly label: string; readonly path: string }[] = [
  { tab: "timeline", label: "Timeline", path: "" },
  { tab: "audit", label: "Gateway audit", path: "/audit" },
  { tab: "sql", label: "SQL", path: "/sql" },
];

/**
 * One axon: header and tabs — the live timeline with the raw view of the selected event and the
 * chat, the gateway audit, the SQL database. The subscription lives as long as the page, so
 * switching tabs keeps the audit live and the timeline where it was.
 */
export function AxonPage({ id, tab }: { id: string; tab: AxonTab }) {
  const axon = useAsync(() => api().axons.get(id), [id]);
  const timeline = useTimeline(id);
  const [filter, setFilter] = useState<TimelineFilter>(NO_FILTER);
  const [selected, setSelected] = useState<TimelineItem>();
  const [jumpTo, setJumpTo] = useState<{ sequence: number; nonce: number }>();
  const [actionError, setActionError] = useState<string>();

  const jump = useCallback((sequence: number) => {
    setJumpTo((j) => ({ sequence, nonce: (j?.nonce ?? 0) + 1 }));
    history.replaceState(null, "", `#${sequence}`);
  }, []);
  // Deep link /axons/<id>#<seq> (typed, or followed from the audit): jump once the replay has reached it.
  useEffect(() => {
    const hashSequence = Number(location.hash.slice(1));
    if (tab === "timeline" && timeline.caughtUp && hashSequence > 0) {
      setJumpTo((j) => ({ sequence: hashSequence, nonce: (j?.nonce ?? 0) + 1 }));
    }
  }, [timeline.caughtUp, tab]);

  // Escape closes the raw view; "/" goes to the filter (unless typing somewhere).
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const typing = (event.target as HTMLElement).closest?.("input, textarea, select");
      if (event.key === "Escape") setSelected(undefined);
      else if (event.key === "/" && !typing) {
        event.preventDefault();
        document.querySelector<HTMLInputElement>('input[aria-label="Filter by event type"]')?.focus();
      }
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, []);

  // Keep the raw view on the newest state of the selected item (a tool call gains updates).
  const selectedIndex = selected && timeline.model.indexOfSequence(selected.key);
  const current = selectedIndex === undefined ? undefined : timeline.model.items[selectedIndex];

  const answer = useCallback(
    async (requestId: string, choice: { optionId: string } | "rejected") => {
      const payload =
        choice === "rejected"
          ? { request_id: requestId, outcome: "rejected" }
          : { request_id: requestId, option_id: choice.optionId };
      try {
        await api().axon(id).publish({ eventType: EventType.PermissionResponse, payload, origin: "user" });
        setActionError(undefined);
      } catch (e) {
        setActionError(errorText(e));
      }
    },
    [id],
  );

  const openTurns = [...timeline.model.openTurns];
  const queuedTurns = [...timeline.model.queuedTurns].map(([turnId, q]) => ({ turnId, ...q }));
  return (
    <section class="axon-page">
      <div class="axon-head">
        <a href="/axons" onClick={linkTo("/axons")} class="muted">
          Axons /
        </a>
        <h1>{axon.value?.name || id}</h1>
        <span class="mono muted">{id}</span>
        <span>
          head{" "}
          <b data-testid="head">{Math.max(axon.value?.headSequence ?? 0, timeline.model.lastSequence)}</b>
        </span>
        {axon.value && <span class="muted">created {formatTime(axon.value.createdAtMs)}</span>}
        {axon.value &&
          Object.entries(axon.value.labels).map(([k, v]) => (
            <span key={k} class="label">
              {k}={v}
            </span>
          ))}
        <span class={timeline.caughtUp ? "live" : "muted"}>
          {timeline.caughtUp ? "● live" : "replaying…"}
        </span>
      </div>
      <nav class="tabs" aria-label="Axon views">
        {TABS.map((t) => (
          <a
            key={t.tab}
            href={`/axons/${id}${t.path}`}
            class={t.tab === tab ? "tab active" : "tab"}
            aria-current={t.tab === tab ? "page" : undefined}
            onClick={linkTo(`/axons/${id}${t.path}`)}
          >
            {t.label}
          </a>
        ))}
      </nav>
      <ErrorBox error={axon.error ?? timeline.error} />
      {actionError && <div class="error">{actionError}</div>}
      {tab === "timeline" && (
        <>
          <FilterBar filter={filter} onFilter={setFilter} onJump={jump} />
          <div class="axon-body">
            <TimelineView
              model={timeline.model}
              version={timeline.version}
              filter={filter}
              jumpTo={jumpTo}
              selectedKey={current?.key}
              onSelect={setSelected}
              onAnswer={answer}
            />
            {current && <RawView item={current} onClose={() => setSelected(undefined)} />}
          </div>
          <ChatBar axonId={id} openTurns={openTurns} queuedTurns={queuedTurns} />
        </>
      )}
      {tab === "audit" && (
        <div class="tab-scroll">
          <GatewayAuditTable axonId={id} model={timeline.model} version={timeline.version} />
        </div>
      )}
      {tab === "sql" && (
        <div class="tab-scroll">
          <SqlPanel axonId={id} />
        </div>
      )}
    </section>
  );
}
