import { readFile, writeFile } from "node:fs/promises";
import { parseBenchArgs, USAGE } from "./args.js";
import { describeMachine } from "./machine.js";
import { formatConsole, formatMarkdown, keptNotes } from "./report.js";
import { batchPublish, catchUpReplay, type Figure, sdkPublish, unaryPublish, warmUp } from "./scenarios.js";
import { startBenchServer } from "./server-harness.js";

// `npm run bench`: durable publish and catch-up replay throughput against the real server and store.
// `npm run bench -- --peers`: axond side by side with Redis Streams and NATS JetStream.
if (process.argv.includes("--peers")) {
  const { runPeers } = await import("./peers/run-peers.js");
  await runPeers(process.argv.slice(2));
  process.exit(0);
}
const settings = parseBenchArgs(process.argv.slice(2));
if (settings === "help") {
  console.log(USAGE);
  process.exit(0);
}

const server = await startBenchServer();
try {
  const machine = describeMachine(server.dataDir);
  console.log(
    `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, load ${machine.loadAverage}`,
  );
  console.log(`server ${server.url}, data ${server.dataDir} (${machine.filesystem})\n`);

  await warmUp(server);
  const figures: Figure[] = [];
  const run = async (label: string, scenario: () => Promise<Figure | Figure[]>) => {
    process.stdout.write(`${label}…\n`);
    const result = await scenario();
    figures.push(...(Array.isArray(result) ? result : [result]));
  };
  if (settings.only.includes("unary")) await run("unary publish", () => unaryPublish(server, settings));
  if (settings.only.includes("sdk")) await run("SDK publish", () => sdkPublish(server, settings));
  if (settings.only.includes("batch")) await run("batched publish", () => batchPublish(server, settings));
  if (settings.only.includes("replay")) await run("catch-up replay", () => catchUpReplay(server, settings));

  console.log(`\n${formatConsole(figures)}`);
  if (settings.write) {
    const command = ["npm run bench", ...process.argv.slice(2)].join(" ");
    const doc = new URL("../docs/benchmarks.md", import.meta.url);
    const notes = keptNotes(await readFile(doc, "utf8").catch(() => ""));
    await writeFile(doc, formatMarkdown(machine, figures, command) + notes);
    console.log("\nrecorded in docs/benchmarks.md");
  }
} finally {
  await server.close();
}
