import { describe, expect, it } from "vitest";
import { useColor } from "./colors.js";

describe("useColor", () => {
  it("colours a terminal unless NO_COLOR is set", () => {
    expect(useColor({ isTTY: true }, {})).toBe(true);
    expect(useColor({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(useColor({ isTTY: true }, { TERM: "dumb" })).toBe(false);
  });

  it("does not colour pipes unless FORCE_COLOR is set", () => {
    expect(useColor({ isTTY: false }, {})).toBe(false);
    expect(useColor({}, { FORCE_COLOR: "1" })).toBe(true);
    expect(useColor({}, { FORCE_COLOR: "0" })).toBe(false);
  });
});
