import { describe, expect, it } from "vitest";
import { parseSqlParam } from "./sql-param.js";

describe("parseSqlParam", () => {
  it("reads SQLite-style literals exactly", () => {
    expect(parseSqlParam("NULL")).toBeNull();
    expect(parseSqlParam("42")).toBe(42);
    expect(parseSqlParam("9223372036854775807")).toBe(2n ** 63n - 1n);
    expect(parseSqlParam("-9223372036854775808")).toBe(-(2n ** 63n));
    expect(parseSqlParam("1.5e3")).toBe(1500);
    expect(parseSqlParam("X'00fF'")).toEqual(new Uint8Array([0, 255]));
    expect(parseSqlParam("x''")).toEqual(new Uint8Array());
    expect(parseSqlParam("'42'")).toBe("42");
    expect(parseSqlParam("'it''s'")).toBe("it's");
    expect(parseSqlParam("héllo world")).toBe("héllo world");
  });

  it("refuses integers past 64 bits and odd hex", () => {
    expect(() => parseSqlParam("9223372036854775808")).toThrow(/64-bit/);
    expect(() => parseSqlParam("X'abc'")).toThrow(/even number/);
  });
});
