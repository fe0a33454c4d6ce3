import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { createAxonClient } from "../src/index.js";
import { spawnCollecting, startRealServer } from "../src/test-support/index.js";

// Issue 8 item 12: a plain SDK subscriber in its own process exited (code 13) while the server was
// down, because the backoff timer was unref'd and nothing else kept Node alive.

const script = fileURLToPath(new URL("./fixtures/follow-axon.ts", import.meta.url));

it("an awaited subscription keeps its process alive across a server restart, with no gap or duplicate", async () => {
  const real = await startRealServer();
  const axon = createAxonClient({ baseUrl: real.url, source: "test" }).axon(
    (await createAxonClient({ baseUrl: real.url }).axons.create()).id,
  );
  const subscriber = spawnCollecting(process.execPath, [
    "--conditions=source",
    "--import",
    "tsx",
    script,
    real.url,
    axon.id,
  ]);
  const received = () => subscriber.lines().map(Number);
  try {
    await axon.publishBatch([1, 2, 3].map((n) => ({ eventType: "before", payload: { n } })));
    await expect.poll(received, { timeout: 15_000 }).toEqual([1, 2, 3]);

    await real.restart(async () => {
      await expect.poll(subscriber.stderr, { timeout: 15_000 }).toMatch(/reconnecting 1/);
      // Down long enough for several backoff waits, each against a refused port.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(subscriber.exitCode, `exited while the server was down: ${subscriber.stderr()}`).toBeUndefined();
    });

    await axon.publishBatch([4, 5, 6].map((n) => ({ eventType: "after", payload: { n } })));
    await expect.poll(received, { timeout: 20_000 }).toEqual([1, 2, 3, 4, 5, 6]);
    expect(subscriber.exitCode).toBeUndefined();
  } finally {
    subscriber.child.kill("SIGTERM");
    await subscriber.exited;
    await real.close();
  }
});
