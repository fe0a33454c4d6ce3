// A stand-in for axond in the reaper tests: starts the agent reaper, then an "agent" the way the
// adapters do (detached: own process group and session) with the marker in its environment. The
// agent leaves a grandchild in its group and one that escaped into a session of its own. Prints
// `ready <agent pid> <grandchild pid> <escapee pid>` and waits to be killed.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { startAgentReaper } from "../../src/agent-reaper.js";

const marker = process.argv[2]!;
startAgentReaper({ marker });
const [name, value] = marker.split("=") as [string, string];
const agent = spawn("sh", ["-c", 'sleep 300 & a=$!; setsid sleep 300 & b=$!; echo "$$ $a $b"; wait'], {
  detached: true,
  stdio: ["ignore", "pipe", "ignore"],
  env: { PATH: process.env.PATH ?? "/usr/bin:/bin", [name]: value },
});
const lines = createInterface({ input: agent.stdout });
lines.once("line", (line) => process.stdout.write(`ready ${line}\n`));
setInterval(() => {}, 1 << 30);
