import { EventType } from "@openaxon/protocol/vocabulary";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsoleHarness, startConsoleHarness } from "./console-harness.js";

describe("console: a real agent, and the runtimes page (issue 11, real Chromium)", () => {
  let h: ConsoleHarness;
  beforeAll(async () => {
    h = await startConsoleHarness({ runtimes: true });
  });
  afterAll(async () => h?.close());

  it("a rev runtime answers a chat typed into the UI, and the turn completes", async () => {
    const axon = await h.client.axons.create({ name: "rev-chat" });
    await h.client.runtimes.create({
      name: "rev",
      mounts: [{ axonId: axon.id, protocol: "stdio", agentBinary: "rev" }],
    });
    const page = await h.newPage();
    await page.goto(`${h.url}/axons/${axon.id}`);
    await page.getByText("● live").waitFor();
    await page.getByLabel("Message").fill("hello console");
    await page.getByRole("button", { name: "Send" }).click();
    await page.locator('[data-kind="text"]', { hasText: "elosnoc olleh" }).waitFor({ timeout: 10_000 });
    await page.locator('[data-kind="turn-end"]', { hasText: "end_turn" }).waitFor({ timeout: 10_000 });
    const types = (await h.client.axon(axon.id).events({ limit: 100 })).events.map((e) => e.eventType);
    expect(types).toContain(EventType.TurnCompleted);
    await h.screenshot(page, "timeline-rev-chat");
    expect(page.problems).toEqual([]);
  });

  it("lists runtimes with their status and suspends and resumes one", async () => {
    const axon = await h.client.axons.create({ name: "rt-page" });
    const runtime = await h.client.runtimes.create({
      name: "cat-agent",
      mounts: [{ axonId: axon.id, protocol: "stdio", agentBinary: "cat" }],
    });
    const page = await h.newPage();
    await page.goto(`${h.url}/runtimes`);
    const row = page.locator("tr", { hasText: runtime.id });
    await row.getByText("running").waitFor();
    await row.getByRole("button", { name: "Suspend" }).click();
    await row.locator(".status", { hasText: "suspended" }).waitFor();
    expect((await h.client.runtimes.get(runtime.id)).status).toBe("suspended");
    await h.screenshot(page, "runtimes");
    await row.getByRole("button", { name: "Resume" }).click();
    await row.locator(".status", { hasText: "running" }).waitFor();
    expect((await h.client.runtimes.get(runtime.id)).status).toBe("running");
    expect(page.problems).toEqual([]);
  });
});
