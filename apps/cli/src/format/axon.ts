import type { Axon, Retention } from "@openaxon/client";
import { formatBytes, formatDuration } from "@openaxon/core";
import type { Colors } from "./colors.js";
import { formatDateTime } from "./time.js";

/** One JSON object per line with stable field names. */
export function formatAxonJson(axon: Axon): string {
  return JSON.stringify({
    id: axon.id,
    name: axon.name,
    createdAtMs: axon.createdAtMs,
    headSequence: axon.headSequence,
    firstSequence: axon.firstSequence,
    labels: axon.labels,
    retention: axon.retention ?? null,
  });
}

/** "max age 7d, max events 1000, max bytes 1 GiB", or undefined when the axon keeps everything. */
export function formatRetention(retention: Retention | undefined): string | undefined {
  const parts: string[] = [];
  if (retention?.maxAgeMs) parts.push(`max age ${formatDuration(retention.maxAgeMs)}`);
  if (retention?.maxEvents) parts.push(`max events ${retention.maxEvents}`);
  if (retention?.maxBytes) parts.push(`max bytes ${formatBytes(retention.maxBytes)}`);
  return parts.length > 0 ? parts.join(", ") : undefined;
}

export function formatLabels(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(",");
}

/** Aligned columns with a header: ID, NAME, HEAD, CREATED, LABELS. */
export function formatAxonTable(axons: readonly Axon[], colors: Colors): string[] {
  const rows = axons.map((axon) => [
    axon.id,
    axon.name || "-",
    String(axon.headSequence),
    formatDateTime(axon.createdAtMs),
    formatLabels(axon.labels),
  ]);
  const header = ["ID", "NAME", "HEAD", "CREATED", "LABELS"];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  const render = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join("  ")
      .trimEnd();
  return [colors.dim(render(header)), ...rows.map(render)];
}

/** `key  value` lines for `axon get`. */
export function formatAxonDetails(axon: Axon, colors: Colors): string[] {
  const fields: [string, string][] = [
    ["id", colors.bold(axon.id)],
    ["name", axon.name || colors.dim("(none)")],
    ["head", String(axon.headSequence)],
    // Only worth a line once retention has trimmed something (or could).
    [
      "first",
      `${axon.firstSequence}${axon.firstSequence > 1 ? colors.dim(" (older events were trimmed by retention)") : ""}`,
    ],
    [
      "retention",
      formatRetention(axon.retention) ?? colors.dim("keep everything (up to the server's per-axon cap)"),
    ],
    ["created", formatDateTime(axon.createdAtMs)],
    ["labels", formatLabels(axon.labels) || colors.dim("(none)")],
  ];
  return fields.map(([key, value]) => `${colors.dim(key.padEnd(8))} ${value}`);
}
