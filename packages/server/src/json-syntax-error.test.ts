import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { findJsonSyntaxError } from "./json-syntax-error.js";

const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe("findJsonSyntaxError", () => {
  test("accepts everything JSON.stringify produces", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, pretty) => {
        expect(findJsonSyntaxError(JSON.stringify(value, null, pretty ? 2 : undefined))).toBeUndefined();
      }),
    );
  });

  test("agrees with JSON.parse on arbitrary and mutated text", () => {
    const jsonish = fc.oneof(
      fc.string(),
      fc.stringMatching(/^[\s{}[\]",:0-9eE.+\-truefalsn\\u]{0,30}$/),
      fc
        .tuple(fc.jsonValue(), fc.nat(), fc.constantFrom("", "}", "]", ",", '"', "x", "\\", "\n", "\u0001"))
        .map(([v, at, insert]) => {
          const text = JSON.stringify(v);
          const i = at % (text.length + 1);
          return text.slice(0, i) + insert + text.slice(i + 1);
        }),
    );
    fc.assert(
      fc.property(jsonish, (text) => {
        expect(findJsonSyntaxError(text) === undefined).toBe(parses(text));
      }),
      { numRuns: 2000 },
    );
  });

  test("points at the line and column of the mistake", () => {
    expect(findJsonSyntaxError('{\n  "a": 1,\n  "b" 2\n}')).toMatchObject({
      line: 3,
      column: 7,
      reason: "expected ':' but found \"2\"",
    });
    expect(findJsonSyntaxError("{'a': 1}")).toMatchObject({ line: 1, column: 2 });
    expect(findJsonSyntaxError('{"a": [1, 2}')).toMatchObject({
      column: 12,
      reason: expect.stringContaining("']'"),
    });
    expect(findJsonSyntaxError('"abc')).toMatchObject({ reason: "unterminated string" });
    expect(findJsonSyntaxError("")).toMatchObject({ reason: "expected a JSON value but found end of input" });
    expect(findJsonSyntaxError("{} x")).toMatchObject({
      column: 4,
      reason: 'unexpected "x" after the JSON value',
    });
  });

  test("survives deep nesting without overflowing the stack", () => {
    expect(findJsonSyntaxError("[".repeat(200_000))).toMatchObject({ offset: 200_000 });
  });
});
