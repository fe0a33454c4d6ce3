// The agent reaper: kills every process whose environment carries a marker (one NAME=value string,
// e.g. OPENAXON_AGENT_HOST=host_…), together with the process groups such processes lead.
//
//   node agent-reaper.mjs sweep MARKER   kill now; prints {"killed":N} and exits
//   node agent-reaper.mjs watch MARKER   wait until stdin closes (the server exited or was killed),
//                                        then sweep and exit
//
// Agents are spawned in their own process groups (and sessions), so they survive a SIGKILLed
// server. The runtime marks every agent's environment; children inherit it, even those that leave
// the agent's process group. The server keeps a `watch` reaper with a pipe on its stdin: the kernel
// closes that pipe however the server ends, and the reaper cleans up. It is plain JavaScript with no
// imports beyond node:, so it starts fast and runs from a built or a source checkout alike.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

const [mode, marker] = process.argv.slice(2);
if ((mode !== "sweep" && mode !== "watch") || !marker || !marker.includes("=")) {
  process.stderr.write("usage: agent-reaper.mjs sweep|watch NAME=value\n");
  process.exit(2);
}

const ROUNDS = 20;
const ROUND_PAUSE_MS = 50;
const self = process.pid;
const parent = process.ppid;

/** Marked live processes: [{pid, pgid}]. */
function markedProcesses() {
  return process.platform === "linux" ? markedFromProc() : markedFromPs();
}

function markedFromProc() {
  const found = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === self || pid === parent) continue;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, "latin1").split("\0");
      if (!environ.includes(marker)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
      // "pid (comm) state ppid pgrp …"; comm may contain spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] === "Z" || fields[0] === "X") continue;
      found.push({ pid, pgid: Number(fields[2]) });
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}

/** macOS and other Unixes: `ps -E` prints each process's environment after its command. */
function markedFromPs() {
  let text;
  try {
    text = execFileSync("ps", ["-A", "-ww", "-E", "-o", "pid=,pgid=,stat=,command="], { encoding: "latin1" });
  } catch {
    return [];
  }
  const found = [];
  for (const line of text.split("\n")) {
    const match = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line);
    if (!match || match[3].startsWith("Z")) continue;
    const pid = Number(match[1]);
    if (pid === self || pid === parent) continue;
    if (match[4].split(" ").includes(marker)) found.push({ pid, pgid: Number(match[2]) });
  }
  return found;
}

function kill(target) {
  try {
    process.kill(target, "SIGKILL");
    return true;
  } catch {
    return false;
  }
}

/** Kills marked processes until none is left (forks in flight show up in later rounds). */
async function sweep() {
  const killed = new Set();
  for (let round = 0; round < ROUNDS; round++) {
    const found = markedProcesses();
    if (found.length === 0) break;
    const marked = new Set(found.map((p) => p.pid));
    for (const { pid, pgid } of found) {
      // A group goes only when its leader is marked: never the server's own group.
      if (pgid === pid || marked.has(pgid)) kill(-pgid);
      kill(pid);
      killed.add(pid);
    }
    await new Promise((resolve) => setTimeout(resolve, ROUND_PAUSE_MS));
  }
  return killed.size;
}

if (mode === "sweep") {
  const killed = await sweep();
  process.stdout.write(`${JSON.stringify({ killed })}\n`);
} else {
  // Terminal signals aimed at the server's group must not take the reaper down before it has swept.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => {});
  process.stdin.on("data", () => {});
  await new Promise((resolve) => {
    process.stdin.once("end", resolve);
    process.stdin.once("close", resolve);
    process.stdin.once("error", resolve);
  });
  await sweep();
  process.exit(0);
}
