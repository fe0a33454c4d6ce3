import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type AxonClient, createAxonClient } from "../src/index.js";
import { type RealServer, startRealServer } from "../src/test-support/index.js";

// Issue 8 item 12: a plain SDK subscriber in its own process exited (code 13) while the server was
// down, because the backoff timer was unref'd and nothing else kept Node alive.

const script = fileURLToPath(new URL("./fixtures/follow-axon.ts", import.meta.url));

let real: RealServer;
let client: AxonClient;

beforeAll(async () => {
  real = await startRealServer();
  client = createAxonClient({ baseUrl: real.url, source: "test" });
});

afterAll(async () => {
  await real.close();
});

it("an awaited subscription keeps its process alive across a server restart, with no gap or duplicate", async () => {
  const axon = client.axon((await client.axons.create()).id);
  await axon.publishBatch([1, 2, 3].map((n) => ({ eventType: "before", payload: { n } })));

  const child = spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", script, real.url, axon.id],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.on("exit", (code) => {
      exitCode = code;
      resolve();
    }),
  );
  const received = () => stdout.split("\n").filter(Boolean).map(Number);

  try {
    await expect.poll(received, { timeout: 15_000 }).toEqual([1, 2, 3]);
    await real.restart(async () => {
      await expect.poll(() => stderr, { timeout: 15_000 }).toMatch(/reconnecting 1/);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(exitCode, `the subscriber exited while the server was down; stderr: ${stderr}`).toBeUndefined();
    });
    await axon.publishBatch([4, 5, 6].map((n) => ({ eventType: "after", payload: { n } })));
    await expect.poll(received, { timeout: 20_000 }).toEqual([1, 2, 3, 4, 5, 6]);
    expect(exitCode).toBeUndefined();
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
});
