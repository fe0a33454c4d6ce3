import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JsonlReader } from "./jsonl-reader.js";

function read(chunks: readonly (Buffer | string)[]): string[] {
  const lines: string[] = [];
  const reader = new JsonlReader((line) => lines.push(line));
  for (const chunk of chunks) reader.push(chunk);
  reader.end();
  return lines;
}

describe("JsonlReader", () => {
  it("keeps U+2028 and U+2029 inside a record and drops a trailing CR", () => {
    const record = JSON.stringify({ text: "a\u2028b\u2029c" });
    expect(read([`${record}\r\n{"x":1}\n`])).toEqual([record, '{"x":1}']);
  });

  it("delivers a last record that has no newline", () => {
    expect(read(['{"a":1}\n{"b"', ":2}"])).toEqual(['{"a":1}', '{"b":2}']);
  });

  it("yields the same records however the bytes are cut, multi-byte characters included", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: "grapheme" }).map((s) => s.replaceAll("\n", "").replaceAll("\r", ""))),
        fc.array(fc.nat()),
        (records, cuts) => {
          const bytes = Buffer.from(records.map((r) => `${r}\n`).join(""), "utf8");
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const chunks = [0, ...points, bytes.length]
            .slice(0, -1)
            .map((start, i, all) => bytes.subarray(start, all[i + 1] ?? bytes.length));
          expect(read(chunks)).toEqual(records);
        },
      ),
    );
  });
});
