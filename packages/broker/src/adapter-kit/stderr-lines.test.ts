import { describe, expect, it } from "vitest";
import { StderrLines } from "./stderr-lines.js";

describe("StderrLines", () => {
  it("quotes only the last lines, and nothing when stderr stayed empty", () => {
    const lines = new StderrLines(2);
    expect(lines.suffix()).toBe("");
    for (const line of ["a", "b", "c"]) lines.push(line);
    expect(lines.suffix()).toBe("; last stderr: b | c");
  });
});
