import { describe, expect, it } from "vitest";
import { descriptionProblems, nameProblems, quote } from "./names.js";

describe("nameProblems", () => {
  it("accepts short shell-safe names", () => {
    for (const name of ["anthropic", "github-token", "prod.api_key", "A1", "x".repeat(128)]) {
      expect(nameProblems(name)).toEqual([]);
    }
  });

  it("refuses empty, long, odd or id-shaped names", () => {
    expect(nameProblems("")).toEqual(["name is required"]);
    for (const name of ["-dash-first", "has space", "semi;colon", "x".repeat(129), "ünïcode"]) {
      expect(nameProblems(name)[0]).toMatch(/must be 1-128 letters/);
    }
    // A name like an id would make "id or name" lookups ambiguous.
    expect(nameProblems("sec_01jq3v7k2m9x8p4r6t0w5y1z3c")[0]).toMatch(/looks like an id/);
    expect(nameProblems("np_01jq3v7k2m9x8p4r6t0w5y1z3c")[0]).toMatch(/looks like an id/);
  });

  it("limits descriptions and quotes user input printable and short", () => {
    expect(descriptionProblems("d".repeat(1024))).toEqual([]);
    expect(descriptionProblems("d".repeat(1025))[0]).toMatch(/1025 characters; the limit is 1024/);
    expect(quote("a\r\nb")).toBe('"a??b"');
    expect(quote("z".repeat(100))).toBe(`"${"z".repeat(64)}…"`);
  });
});
