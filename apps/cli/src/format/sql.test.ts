import type { SqlResult } from "@openaxon/client";
import { describe, expect, it } from "vitest";
import { colorsFor } from "./colors.js";
import { formatSqlTable, sqlResultJson, sqlSummary } from "./sql.js";

const plain = colorsFor({ isTTY: false }, {});
const result: SqlResult = {
  columns: [
    { name: "id", type: "INTEGER" },
    { name: "v", type: "" },
  ],
  rows: [
    [1, "a\nb"],
    [2n ** 63n - 1n, new Uint8Array([0, 171])],
    [3, null],
    [4, -0],
  ],
  meta: { changes: 0, durationMs: 1.234, rowsReadLimitReached: true, lastInsertRowid: 0 },
};

describe("SQL output", () => {
  it("prints an aligned table with NULL, X'hex' blobs and escaped text", () => {
    expect(formatSqlTable(result, plain)).toEqual([
      "id                   v",
      "1                    a\\nb",
      "9223372036854775807  X'00AB'",
      "3                    NULL",
      "4                    -0.0",
    ]);
  });

  it("summarises rows and time, and says when the result limit cut it", () => {
    expect(sqlSummary(result)).toBe("4 rows, 1.2 ms (stopped at the server's result limit; more rows exist)");
  });

  it("prints JSON with every digit of big integers", () => {
    const line = sqlResultJson(result);
    expect(line).toContain("[9223372036854775807,");
    expect(line).toContain('{"blob":"AKs="}');
    expect(line).toContain("[4,-0.0]");
    expect(JSON.parse(line).meta).toEqual({
      changes: 0,
      durationMs: 1.234,
      rowsReadLimitReached: true,
      lastInsertRowid: 0,
    });
  });
});
