import { useMemo, useState } from "preact/hooks";
import { formatTime } from "../format.js";
import { linkTo } from "../router.js";
import { type GatewayAuditRow, gatewayAudit } from "./gateway-audit.js";
import type { TimelineModel } from "./timeline-model.js";

/** Rows drawn at most; the newest are kept (a busy agent can be denied thousands of times). */
const MAX_ROWS = 500;

type Shown = "all" | GatewayAuditRow["decision"];

/** The axon's gateway audit as a table, live: where its agents connected or tried to, newest first. */
export function GatewayAuditTable({
  axonId,
  model,
  version,
}: {
  axonId: string;
  model: TimelineModel;
  version: number;
}) {
  const [shown, setShown] = useState<Shown>("all");
  const all = useMemo(() => gatewayAudit(model.items), [model, version]);
  const rows = shown === "all" ? all : all.filter((r) => r.decision === shown);
  const count = (d: GatewayAuditRow["decision"]) => all.filter((r) => r.decision === d).length;
  const newest = rows.slice(-MAX_ROWS).reverse();
  return (
    <section class="audit" aria-label="Gateway audit">
      <div class="toolbar">
        <span>
          <b data-testid="audit-allowed">{count("allowed")}</b> allowed ·{" "}
          <b data-testid="audit-denied">{count("denied")}</b> denied
          {count("suppressed") > 0 && ` · ${count("suppressed")} rate-limited gaps`}
        </span>
        <select
          aria-label="Show decisions"
          value={shown}
          onChange={(e) => setShown(e.currentTarget.value as Shown)}
        >
          <option value="all">all decisions</option>
          <option value="allowed">allowed</option>
          <option value="denied">denied</option>
          <option value="suppressed">suppressed</option>
        </select>
        {rows.length > MAX_ROWS && (
          <span class="muted">
            newest {MAX_ROWS} of {rows.length}
          </span>
        )}
      </div>
      <table class="list" data-testid="audit-table">
        <thead>
          <tr>
            <th class="num">#</th>
            <th>Time</th>
            <th>Decision</th>
            <th>Destination</th>
            <th>Runtime</th>
            <th>Reason</th>
          </tr>
        </thead>
        <tbody>
          {newest.map((row) => (
            <tr key={row.sequence} class={`decision-${row.decision}`}>
              <td class="num">
                <a
                  href={`/axons/${axonId}#${row.sequence}`}
                  onClick={linkTo(`/axons/${axonId}#${row.sequence}`)}
                >
                  {row.sequence}
                </a>
              </td>
              <td>{formatTime(row.timestampMs)}</td>
              <td>
                <span class={`status status-${row.decision}`}>{row.decision}</span>
              </td>
              <td class="mono">{row.target}</td>
              <td class="mono">{row.runtimeId}</td>
              <td>{row.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {all.length === 0 && <p class="muted">No gateway decisions on this axon yet.</p>}
    </section>
  );
}
