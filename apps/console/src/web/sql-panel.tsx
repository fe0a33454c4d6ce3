import { type SqlResult, type SqlValue, sqlErrorOf } from "@openaxon/client";
import { useState } from "preact/hooks";
import { api, errorText } from "./api.js";

const FIRST_QUERY =
  "SELECT sequence, event_type, origin, source FROM axon_events ORDER BY sequence DESC LIMIT 20";

/** Blob bytes shown before the rest is elided. */
const BLOB_PREVIEW = 32;

/** The axon's SQL database: one statement at a time, the result as a table (issue 12). */
export function SqlPanel({ axonId }: { axonId: string }) {
  const [sql, setSql] = useState(FIRST_QUERY);
  const [result, setResult] = useState<SqlResult>();
  const [error, setError] = useState<string>();
  const [running, setRunning] = useState(false);
  const run = async (event: Event) => {
    event.preventDefault();
    if (sql.trim() === "" || running) return;
    setRunning(true);
    try {
      setResult(await api().axon(axonId).sql.query(sql));
      setError(undefined);
    } catch (e) {
      // SQLite's own message and result code when the statement failed, the server's otherwise.
      const detail = sqlErrorOf(e);
      setError(detail ? `${detail.code}: ${detail.message}` : errorText(e));
      setResult(undefined);
    } finally {
      setRunning(false);
    }
  };
  return (
    <section class="sql" aria-label="SQL">
      <form class="sql-form" onSubmit={run}>
        <textarea
          aria-label="SQL statement"
          class="mono"
          rows={4}
          spellcheck={false}
          value={sql}
          onInput={(e) => setSql(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) void run(e);
          }}
        />
        <div class="sql-actions">
          <button type="submit" class="primary" disabled={running}>
            Run
          </button>
          <span class="muted">
            Ctrl+Enter runs one statement. <code>axon_events</code> is the log as a read-only table.
          </span>
        </div>
      </form>
      {error && (
        <div class="error" role="alert">
          {error}
        </div>
      )}
      {result && <SqlResultTable result={result} />}
    </section>
  );
}

function SqlResultTable({ result }: { result: SqlResult }) {
  const { meta } = result;
  return (
    <div class="sql-result">
      <p class="muted" data-testid="sql-meta">
        {result.rows.length} row{result.rows.length === 1 ? "" : "s"}
        {meta.changes > 0 && `, ${meta.changes} changed`} in {meta.durationMs.toFixed(1)} ms
        {meta.rowsReadLimitReached && " — stopped at the server's row limit; more rows exist"}
      </p>
      {result.columns.length > 0 && (
        <div class="sql-scroll">
          <table class="list" data-testid="sql-result">
            <thead>
              <tr>
                {result.columns.map((c, i) => (
                  <th key={i} title={c.type || "expression"}>
                    {c.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {result.rows.map((row, r) => (
                <tr key={r}>
                  {row.map((value, i) => (
                    <td key={i} class={cellClass(value)}>
                      {formatSqlValue(value)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function cellClass(value: SqlValue): string {
  if (value === null) return "muted";
  return typeof value === "number" || typeof value === "bigint" ? "num" : "";
}

/** How a value reads in a cell: NULL, exact integers, blobs as hex. */
export function formatSqlValue(value: SqlValue): string {
  if (value === null) return "NULL";
  if (value instanceof Uint8Array) {
    const hex = Array.from(value.subarray(0, BLOB_PREVIEW), (b) => b.toString(16).padStart(2, "0")).join("");
    return `x'${hex}${value.length > BLOB_PREVIEW ? "…" : ""}' (${value.length} bytes)`;
  }
  return String(value);
}
