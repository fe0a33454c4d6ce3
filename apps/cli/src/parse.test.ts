import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { UsageError } from "./errors.js";
import { collectLabel, parseNonNegativeInt, validatePayload } from "./parse.js";

describe("parseNonNegativeInt", () => {
  it("accepts plain non-negative integers only", () => {
    const parse = parseNonNegativeInt("--after");
    expect(parse("0")).toBe(0);
    expect(parse("120000")).toBe(120_000);
    for (const bad of ["-1", "1.5", "1e3", "abc", "", "99999999999999999999"]) {
      expect(() => parse(bad)).toThrow(InvalidArgumentError);
    }
  });
});

describe("collectLabel", () => {
  it("collects key=value pairs, allowing = in values", () => {
    expect(collectLabel("b=c=d", collectLabel("a=1"))).toEqual({ a: "1", b: "c=d" });
    expect(() => collectLabel("novalue")).toThrow(InvalidArgumentError);
    expect(() => collectLabel("=v")).toThrow(InvalidArgumentError);
  });
});

describe("validatePayload", () => {
  it("passes JSON through unchanged", () => {
    expect(validatePayload('{ "a": 1 }')).toBe('{ "a": 1 }');
    expect(validatePayload('"text"')).toBe('"text"');
  });

  it("explains invalid JSON as a usage error", () => {
    expect(() => validatePayload("{text: hi}")).toThrow(UsageError);
    expect(() => validatePayload("hi")).toThrow(/invalid JSON payload/);
  });
});
