import { startBenchServer } from "./server-harness.js";

// The server side of `bench/fanout.ts`, in its own process so its RSS is the server's alone.
// Tells the parent its URL, then answers "rss" with process.memoryUsage().rss until told "stop".
const server = await startBenchServer();
process.send!({ url: server.url });
process.on("message", async (message: string) => {
  if (message === "rss") process.send!({ rss: process.memoryUsage().rss });
  if (message === "heap") process.send!({ heap: process.memoryUsage().heapUsed });
  if (message === "stop") {
    await server.close();
    process.exit(0);
  }
});
