import { describe, expect, it } from "vitest";
import { runtimeUpdateFrom } from "./runtime-update.js";

describe("runtimeUpdateFrom", () => {
  it("changes only what the flags give", () => {
    expect(runtimeUpdateFrom([], { model: "m2" })).toEqual({ model: "m2" });
    expect(
      runtimeUpdateFrom(["--jsonl"], {
        axon: "axn_1",
        protocol: "claude-code",
        agent: "claude",
        env: { A: "1" },
        permission: "ask",
      }),
    ).toEqual({
      axonId: "axn_1",
      protocol: "claude-code",
      agentBinary: "claude",
      launchArgs: ["--jsonl"],
      mountEnv: { A: "1" },
      permissionPolicy: "ask",
    });
    expect(runtimeUpdateFrom([], { clearArgs: true, clearEnv: true })).toEqual({
      launchArgs: [],
      mountEnv: {},
    });
  });

  it("refuses an update that changes nothing, and contradictory flags", () => {
    expect(() => runtimeUpdateFrom([], { axon: "axn_1" })).toThrow(/nothing to change/);
    expect(() => runtimeUpdateFrom(["x"], { clearArgs: true })).toThrow(/--clear-args or -- ARGS/);
    expect(() => runtimeUpdateFrom([], { clearEnv: true, env: {} })).toThrow(/--clear-env or --env/);
  });
});
