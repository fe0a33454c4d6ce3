import { describe, expect, it } from "vitest";
import { endsStatement } from "./sql-input.js";

describe("endsStatement", () => {
  it("ends at a semicolon outside strings, names and comments", () => {
    expect(endsStatement("SELECT 1;")).toBe(true);
    expect(endsStatement("SELECT 1;  -- done\n")).toBe(true);
    expect(endsStatement("SELECT 1")).toBe(false);
    expect(endsStatement("SELECT ';")).toBe(false);
    expect(endsStatement("SELECT 'a;'")).toBe(false);
    expect(endsStatement("SELECT 'it''s';")).toBe(true);
    expect(endsStatement('SELECT "x;" FROM t\n WHERE 1;')).toBe(true);
    expect(endsStatement("SELECT 1; /* open")).toBe(false);
    expect(endsStatement("SELECT 1 -- ;")).toBe(false);
  });
});
