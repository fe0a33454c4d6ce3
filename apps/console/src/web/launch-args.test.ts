import { describe, expect, it } from "vitest";
import { parseLaunchArgs } from "./launch-args.js";

describe("parseLaunchArgs", () => {
  it("splits on spaces and keeps quoted words whole", () => {
    expect(parseLaunchArgs(" --jsonl  agent.mjs ")).toEqual(["--jsonl", "agent.mjs"]);
    expect(parseLaunchArgs(`--prompt "fix the tests" --name 'a b'`)).toEqual([
      "--prompt",
      "fix the tests",
      "--name",
      "a b",
    ]);
    expect(parseLaunchArgs(`a\\ b ""`)).toEqual(["a b", ""]);
    expect(parseLaunchArgs("")).toEqual([]);
  });

  it("expands nothing: variables, globs and operators reach the agent as typed", () => {
    const typed = ["--key", "$HOME", "$", "{GWS_X}", "src/*.ts", "&&"];
    expect(parseLaunchArgs("--key $HOME $ {GWS_X} src/*.ts &&")).toEqual(typed);
    expect(parseLaunchArgs(`"\${GWS_X}"`)).toEqual([["$", "{GWS_X}"].join("")]);
  });

  it("says what to fix when a quote is left open", () => {
    expect(parseLaunchArgs(`--prompt "fix the tests`)).toEqual({
      error: "args: a quote is left open (or a backslash ends the line); close it or escape it with \\",
    });
  });
});
