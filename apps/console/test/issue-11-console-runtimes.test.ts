import { EventType } from "@openaxon/protocol/vocabulary";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsoleHarness, startConsoleHarness } from "./console-harness.js";

describe("console: a real agent, the runtimes and gateway pages (issue 11, real Chromium)", () => {
  let h: ConsoleHarness;
  beforeAll(async () => {
    h = await startConsoleHarness({ runtimes: true, gateway: true });
  });
  afterAll(async () => h?.close());

  it("a rev runtime created in the UI answers a chat typed into the UI, and the turn completes", async () => {
    const axon = await h.client.axons.create({ name: "rev-chat" });
    const page = await h.newPage();
    await page.goto(`${h.url}/runtimes`);
    await page.getByLabel("Axon id").fill(axon.id);
    await page.getByLabel("Agent").fill("rev");
    await page.getByLabel("Idle suspend seconds").fill("600");
    await page.getByRole("button", { name: "Create runtime" }).click();
    await page.locator("tr", { hasText: axon.id }).getByText("running").waitFor();
    const [runtime] = (await h.client.runtimes.list()).filter((r) => r.mounts[0]?.axonId === axon.id);
    expect(runtime?.mounts[0]).toMatchObject({ protocol: "stdio", agentBinary: "rev" });
    expect(runtime?.lifecycle).toMatchObject({ idleTimeSeconds: 600, onIdle: "suspend" });
    await page.locator("tr", { hasText: axon.id }).getByRole("link").click();
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

  it("shows gateway secrets by name only, network policies and gateway configs", async () => {
    const value = "sk-live-never-shown-4242";
    await h.client.secrets.create({ name: "ANTHROPIC_KEY", value });
    await h.client.networkPolicies.create({
      name: "npm-only",
      egress: { allowedHostnames: ["registry.npmjs.org"], allowAgentGateway: true },
    });
    await h.client.gatewayConfigs.create({
      name: "anthropic",
      endpoint: "https://api.anthropic.com",
      auth: { type: "header", key: "x-api-key" },
    });
    const page = await h.newPage();
    await page.goto(`${h.url}/gateway`);
    await page.getByTestId("secrets").getByText("ANTHROPIC_KEY").waitFor();
    await page.getByTestId("policies").getByText("registry.npmjs.org; agent gateway").waitFor();
    await page.getByTestId("configs").getByText("https://api.anthropic.com").waitFor();
    expect(await page.content()).not.toContain(value);
    await h.screenshot(page, "gateway");
    expect(page.problems).toEqual([]);
  });
});
