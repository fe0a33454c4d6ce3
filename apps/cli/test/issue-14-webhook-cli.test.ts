import { createHmac } from "node:crypto";
import { createAxonClient } from "@openaxon/client";
import { type RealServer, startRealServer } from "@openaxon/client/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonLines, runAxon } from "./support/run-axon.js";

// `axon webhook` as a child process against a real server, then a real signed delivery to the URL it printed.

let real: RealServer;
let env: Record<string, string>;
const axon = (args: string[], stdin?: string) => runAxon(args, { env, stdin });

beforeAll(async () => {
  real = await startRealServer({ gateway: true });
  env = { OPENAXON_URL: real.url };
});

afterAll(async () => {
  await real.close();
});

describe("issue 14: axon webhook", () => {
  it("create prints the id (and the URL with --json), list shows it, delete removes it", async () => {
    const client = createAxonClient({ baseUrl: real.url });
    const axonId = (await client.axons.create({ name: "hooks" })).id;
    await client.secrets.create({ name: "gh-hook", value: "hook-secret-value-123" });

    const created = await axon([
      "--json",
      "webhook",
      "create",
      axonId,
      "github",
      "--provider",
      "github",
      "--secret",
      "gh-hook",
    ]);
    expect(created.code, created.stderr).toBe(0);
    const [webhook] = jsonLines<{ id: string; url: string; provider: string }>(created.stdout);
    expect(webhook).toMatchObject({
      id: expect.stringMatching(/^wh_/),
      provider: "github",
      url: `${real.url}/webhooks/${axonId}/github`,
    });

    const body = JSON.stringify({ zen: "Keep it logically awesome." });
    const delivered = await fetch(webhook!.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "ping",
        "x-github-delivery": "cli-1",
        "x-hub-signature-256": `sha256=${createHmac("sha256", "hook-secret-value-123").update(body).digest("hex")}`,
      },
      body,
    });
    expect(delivered.status).toBe(200);
    expect((await client.axon(axonId).events()).events.map((e) => e.eventType)).toEqual(["github.ping"]);

    const listed = await axon(["webhook", "list", axonId]);
    expect(listed.stdout).toMatch(
      /^ID +AXON +NAME +PROVIDER +SECRET +CREATED\nwh_\S+ +axn_\S+ +github +github +gh-hook /,
    );
    expect((await client.webhooks.list(axonId)).map((w) => w.name)).toEqual(["github"]);

    const bad = await axon(["webhook", "create", axonId, "x", "--provider", "gitlab", "--secret", "gh-hook"]);
    expect(bad.code).toBe(2);
    const missingSecret = await axon([
      "webhook",
      "create",
      axonId,
      "x",
      "--provider",
      "slack",
      "--secret",
      "nope",
    ]);
    expect(missingSecret.code).toBe(1);
    expect(missingSecret.stderr).toMatch(/secret "nope" not found/);

    expect((await axon(["webhook", "delete", webhook!.id])).stdout).toBe(`deleted webhook ${webhook!.id}\n`);
    expect(await client.webhooks.list()).toEqual([]);
  }, 120_000);
});
