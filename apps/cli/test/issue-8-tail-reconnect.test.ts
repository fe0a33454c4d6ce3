import { type AxonClient, createAxonClient } from "@openaxon/client";
import { type RealServer, startRealServer } from "@openaxon/client/test-support";
import { afterAll, beforeAll, expect, it } from "vitest";
import { spawnAxon } from "./support/run-axon.js";

// Issue 8 item 12: `axon tail --follow` exited (code 13, an unsettled top-level await) when the
// server went away, because the only thing left on the event loop was an unref'd backoff timer.

let real: RealServer;
let client: AxonClient;

beforeAll(async () => {
  real = await startRealServer();
  client = createAxonClient({ baseUrl: real.url });
});

afterAll(async () => {
  await real.close();
});

const sequences = (lines: string[]) =>
  lines.map((line) => (JSON.parse(line) as { sequence: number }).sequence);

it("tail --follow survives a server restart and prints what is published after it, once each", async () => {
  const axon = client.axon((await client.axons.create()).id);
  await axon.publishBatch([1, 2, 3].map((n) => ({ eventType: "before", payload: { n } })));

  const tail = spawnAxon(["tail", axon.id, "--follow", "--json"], { OPENAXON_URL: real.url });
  // Three events and the one line saying replay turned live.
  await expect.poll(() => tail.lines().length, { timeout: 15_000 }).toBe(4);

  await real.restart(async () => {
    await expect.poll(() => tail.stderr(), { timeout: 15_000 }).toMatch(/connection lost .*reconnecting/);
    // Down long enough for several backoff waits, each against a refused port.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(tail.exitCode, `tail exited while the server was down; stderr: ${tail.stderr()}`).toBeUndefined();
  });

  await axon.publishBatch([4, 5, 6].map((n) => ({ eventType: "after", payload: { n } })));
  await expect.poll(() => tail.lines().length, { timeout: 20_000 }).toBe(7);
  await expect
    .poll(() => tail.stderr(), { timeout: 15_000 })
    .toMatch(/reconnected; resumed after #3, live at #[36]/);

  tail.child.kill("SIGINT");
  expect(await tail.exited).toBe(130);
  expect(sequences(tail.lines().filter((line) => !line.startsWith('{"live":')))).toEqual([1, 2, 3, 4, 5, 6]);
});
