import type { LaunchCommand } from "@openaxon/broker";
import { describe, expect, it } from "vitest";
import { stdioCommand } from "./stdio-adapter-factory.js";

// Issue 9 item 3: the `--jsonl` marker is the stdio adapter's business alone. A wrapper (the
// sandbox) wraps the mount's whole argv; the adapter rebuilds the command without the flag.
const wrap = (argv: readonly string[]): LaunchCommand => ({
  agentBinary: "bwrap",
  launchArgs: ["--ro-bind", "/", "/", "--", ...argv],
});

describe("stdioCommand", () => {
  it("drops a leading --jsonl from a plain launch", () => {
    expect(stdioCommand({ agentBinary: "sh", launchArgs: ["--jsonl", "-c", "x"] })).toEqual({
      command: { agentBinary: "sh", launchArgs: ["-c", "x"] },
      jsonl: true,
    });
  });

  it("re-wraps a wrapped launch's argv without --jsonl", () => {
    const argv = ["/bin/sh", "--jsonl", "-c", "x"];
    const { command, jsonl } = stdioCommand({ ...wrap(argv), wrapping: { argv, wrap } });
    expect(jsonl).toBe(true);
    expect(command).toEqual({
      agentBinary: "bwrap",
      launchArgs: ["--ro-bind", "/", "/", "--", "/bin/sh", "-c", "x"],
    });
  });

  it("keeps a wrapped per-turn launch as wrapped", () => {
    const argv = ["/bin/sh", "-c", "--jsonl"];
    const launch = { ...wrap(argv), wrapping: { argv, wrap } };
    expect(stdioCommand(launch)).toEqual({ command: launch, jsonl: false });
  });
});
