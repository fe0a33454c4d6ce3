import type { Colors } from "./colors.js";

/** Colours one padded cell (row 0 is the first data row). */
export type CellPainter = (row: number, column: number, padded: string) => string;

/**
 * Aligned columns under a dim header; the last column is not padded. Widths come from the plain
 * text, so `paint` may colour cells after padding without breaking the alignment.
 */
export function formatTable(
  header: readonly string[],
  rows: readonly string[][],
  colors: Colors,
  paint?: CellPainter,
): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  const render = (cells: readonly string[], row: number) =>
    cells
      .map((cell, column) => {
        const padded = column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0);
        return row >= 0 && paint ? paint(row, column, padded) : padded;
      })
      .join("  ")
      .trimEnd();
  return [colors.dim(render(header, -1)), ...rows.map(render)];
}

/** `key  value` lines for `get` commands, keys dim and aligned. */
export function formatDetails(fields: readonly (readonly [string, string])[], colors: Colors): string[] {
  const width = Math.max(...fields.map(([key]) => key.length));
  return fields.map(([key, value]) => `${colors.dim(key.padEnd(width))}  ${value}`);
}
