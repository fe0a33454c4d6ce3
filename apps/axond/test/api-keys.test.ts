import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connectAxonClient } from "./support/axon-client.js";
import { startAxondProcess } from "./support/axond-process.js";

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "axond-keys-"));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => ConnectError.from(e).code,
  );

describe("API keys", { timeout: 60_000 }, () => {
  it("requires one of the configured keys (flags or OPENAXON_API_KEYS) and never logs them", async () => {
    const axond = await startAxondProcess({
      args: ["--listen", "127.0.0.1:0", "--data-dir", dataDir, "--log-level", "debug"],
      env: { OPENAXON_API_KEYS: "first-secret-key,second-secret-key" },
    });
    try {
      expect(await rejection(connectAxonClient(axond.url).createAxon({}))).toBe(Code.Unauthenticated);
      expect(await rejection(connectAxonClient(axond.url, "wrong").createAxon({}))).toBe(
        Code.Unauthenticated,
      );
      const { axon } = await connectAxonClient(axond.url, "second-secret-key").createAxon({ name: "k" });
      expect(axon!.name).toBe("k");
    } finally {
      const exit = await axond.stop("SIGTERM");
      expect(exit.stderr).not.toMatch(/secret-key/);
    }
  });
});
