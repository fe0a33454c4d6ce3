import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { startAgentReaper, sweepAgents } from "../src/agent-reaper.js";
import { allGone, isRunning, killQuietly } from "./support/processes.js";

const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const SERVER = fileURLToPath(new URL("./support/reaping-server.ts", import.meta.url));

const leftovers: number[] = [];
afterEach(() => killQuietly(leftovers.splice(0)));

const uniqueMarker = () =>
  `OPENAXON_AGENT_HOST=host_test_${process.pid}_${Math.random().toString(36).slice(2)}`;

function spawnSleep(env: Record<string, string>): ChildProcess {
  const child = spawn("sleep", ["300"], {
    detached: true,
    stdio: "ignore",
    env: { PATH: "/usr/bin:/bin", ...env },
  });
  child.unref();
  leftovers.push(child.pid!);
  return child;
}

describe.skipIf(process.platform === "win32")("agent reaper", () => {
  it("kills a SIGKILLed server's agents: the agent, its group, and a child that left the group", async () => {
    const marker = uniqueMarker();
    const server = spawn(process.execPath, ["--conditions=source", "--import", TSX, SERVER, marker], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: server.stdout! }).once("line", resolve);
      server.once("exit", (code) => reject(new Error(`server exited early (${code})`)));
    });
    const pids = line
      .replace(/^ready /, "")
      .split(" ")
      .map(Number);
    leftovers.push(...pids);
    expect(pids).toHaveLength(3);
    expect(pids.every(isRunning)).toBe(true);

    server.kill("SIGKILL");
    await allGone(pids);
  });

  it("sweep kills marked processes only and says how many", async () => {
    const marker = uniqueMarker();
    const [name, value] = marker.split("=") as [string, string];
    const marked = spawnSleep({ [name]: value });
    const unmarked = spawnSleep({ [name]: "host_someone_else" });
    expect(await sweepAgents({ marker })).toBe(1);
    await allGone([marked.pid!]);
    expect(isRunning(unmarked.pid!)).toBe(true);
    expect(await sweepAgents({ marker })).toBe(0);
  });

  it("close() ends the watcher after a last sweep", async () => {
    const marker = uniqueMarker();
    const [name, value] = marker.split("=") as [string, string];
    const reaper = startAgentReaper({ marker });
    const stray = spawnSleep({ [name]: value });
    await reaper.close();
    expect(isRunning(reaper.pid!)).toBe(false);
    await allGone([stray.pid!]);
  });
});
