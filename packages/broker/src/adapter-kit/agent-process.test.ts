import { describe, expect, it } from "vitest";
import { describeExit } from "../describe.js";
import { AgentProcess, processGroupAlive } from "./agent-process.js";

const env = { PATH: process.env.PATH ?? "" };

describe("AgentProcess", () => {
  it("runs with exactly the given environment and reports stderr line by line", async () => {
    const lines: string[] = [];
    const agent = AgentProcess.spawn({
      binary: "sh",
      args: ["-c", 'printf "home=%s x=%s\\ntwo\\n\\nthree\\n" "$HOME" "$X" >&2'],
      cwd: "/",
      env: { ...env, X: "1" },
      onStderrLine: (line) => lines.push(line),
    });
    expect(await agent.exited).toEqual({ code: 0, signal: null });
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual(["home= x=1", "two", "three"]);
  });

  it("stop() takes down the whole process group, including children that ignore SIGTERM", async () => {
    let ready: () => void = () => undefined;
    const readySeen = new Promise<void>((resolve) => {
      ready = resolve;
    });
    const agent = AgentProcess.spawn({
      binary: "sh",
      args: ["-c", "trap '' TERM; sleep 600 & echo ready >&2; wait"],
      cwd: "/",
      env,
      onStderrLine: (line) => {
        if (line === "ready") ready();
      },
    });
    await readySeen;
    const pid = agent.pid!;
    expect(processGroupAlive(pid)).toBe(true);
    await agent.stop(200);
    expect(processGroupAlive(pid)).toBe(false);
    expect(agent.exit?.signal).toBe("SIGKILL");
  });

  it("describes how a process ended", async () => {
    const missing = AgentProcess.spawn({
      binary: "/nonexistent/agent",
      args: [],
      cwd: "/",
      env,
      onStderrLine: () => undefined,
    });
    expect(describeExit(await missing.exited)).toMatch(/^could not be started: .*ENOENT/);
    expect(describeExit({ code: 3, signal: null })).toBe("exited with code 3");
    expect(describeExit({ code: null, signal: "SIGKILL" })).toBe("was killed by SIGKILL");
  });
});
