import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatBytes, formatDuration, parseByteSize, parseDuration } from "./units.js";

describe("units", () => {
  it("parses sizes in binary units", () => {
    expect(parseByteSize("1GiB")).toBe(1024 ** 3);
    expect(parseByteSize("10 GB")).toBe(10 * 1024 ** 3);
    expect(parseByteSize("512mib")).toBe(512 * 1024 ** 2);
    expect(parseByteSize("1.5KiB")).toBe(1536);
    expect(parseByteSize("4096")).toBe(4096);
    for (const bad of ["", "GiB", "-1", "1 parsec", "1e3"]) expect(parseByteSize(bad)).toBeUndefined();
  });

  it("parses durations, compound too", () => {
    expect(parseDuration("7d")).toBe(7 * 86_400_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("1500ms")).toBe(1500);
    expect(parseDuration("2w")).toBe(14 * 86_400_000);
    for (const bad of ["", "7", "d", "7 days", "-1s"]) expect(parseDuration(bad)).toBeUndefined();
  });

  it("formats what it parses back to the same number", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
    expect(formatBytes(1024 ** 3)).toBe("1 GiB");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(300)).toBe("300 B");
    expect(formatDuration(7 * 86_400_000)).toBe("1w");
  });
});
