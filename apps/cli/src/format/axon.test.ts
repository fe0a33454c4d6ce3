import picocolors from "picocolors";
import { describe, expect, it } from "vitest";
import { formatAxonJson, formatAxonTable, formatRetention } from "./axon.js";

const plain = picocolors.createColors(false);
const created = new Date(2025, 0, 31, 12, 3, 4).getTime();

describe("formatAxonTable", () => {
  it("aligns columns under a header", () => {
    const lines = formatAxonTable(
      [
        {
          id: "axn_a",
          name: "demo",
          createdAtMs: created,
          headSequence: 12,
          firstSequence: 1,
          labels: { env: "dev", team: "x" },
        },
        { id: "axn_bb", name: "", createdAtMs: created, headSequence: 0, firstSequence: 1, labels: {} },
      ],
      plain,
    );
    expect(lines).toEqual([
      "ID      NAME  HEAD  CREATED              LABELS",
      "axn_a   demo  12    2025-01-31 12:03:04  env=dev,team=x",
      "axn_bb  -     0     2025-01-31 12:03:04",
    ]);
  });
});

describe("formatAxonJson", () => {
  it("has stable field names", () => {
    expect(
      JSON.parse(
        formatAxonJson({
          id: "axn_a",
          name: "n",
          createdAtMs: 5,
          headSequence: 2,
          firstSequence: 1,
          labels: { k: "v" },
          retention: { maxEvents: 9 },
        }),
      ),
    ).toEqual({
      id: "axn_a",
      name: "n",
      createdAtMs: 5,
      headSequence: 2,
      firstSequence: 1,
      labels: { k: "v" },
      retention: { maxEvents: 9 },
    });
  });
});

describe("formatRetention", () => {
  it("names each limit in human units, and nothing for an axon that keeps everything", () => {
    expect(formatRetention({ maxAgeMs: 7 * 86_400_000, maxEvents: 1000, maxBytes: 1024 ** 3 })).toBe(
      "max age 1w, max events 1000, max bytes 1 GiB",
    );
    expect(formatRetention({ maxAgeMs: 86_400_000 })).toBe("max age 1d");
    expect(formatRetention(undefined)).toBeUndefined();
  });
});
