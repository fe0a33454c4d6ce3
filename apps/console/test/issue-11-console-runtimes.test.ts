import { EventType, Origin } from "@openaxon/protocol/vocabulary";
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
    await page.getByLabel("Idle seconds").fill("600");
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

  it("creates a runtime with its lifecycle, env, network policy and a gateway binding from the form, and shuts it down", async () => {
    const axon = await h.client.axons.create({ name: "networked" });
    await h.client.networkPolicies.create({
      name: "form-npm",
      egress: { allowedHostnames: ["registry.npmjs.org"], allowAgentGateway: true },
    });
    await h.client.secrets.create({ name: "form-key", value: "sk-form-never-shown" });
    await h.client.gatewayConfigs.create({
      name: "form-api",
      endpoint: "https://api.example.com",
      auth: { type: "bearer" },
    });
    const page = await h.newPage();
    await page.goto(`${h.url}/runtimes`);
    const form = page.getByRole("form", { name: "Create runtime" });
    // A mistake is explained before anything is sent.
    await form.getByLabel("Axon id").fill(axon.id);
    await form.getByLabel("Agent").fill("cat");
    await form.getByLabel("Gateway bindings").fill("GWS_API=form-api");
    await form.getByRole("button", { name: "Create runtime" }).click();
    await form.getByText("should read PREFIX=gateway:secret").waitFor();

    await form.getByLabel("Gateway bindings").fill("GWS_API=form-api:form-key");
    await form.getByLabel("Runtime name").fill("form-made");
    await form.getByLabel("Env").fill("MODE=test");
    await form.getByLabel("Idle seconds").fill("120");
    await form.getByLabel("On idle").selectOption("shutdown");
    await form.getByLabel("a message resumes it").uncheck();
    await form.getByLabel("Network policy").fill("form-npm");
    await h.screenshot(page, "runtime-form");
    await form.getByRole("button", { name: "Create runtime" }).click();
    const row = page.locator("tr", { hasText: "form-made" });
    await row.getByText("running").waitFor();

    const runtime = (await h.client.runtimes.list()).find((r) => r.name === "form-made")!;
    const policy = (await h.client.networkPolicies.list()).find((p) => p.name === "form-npm")!;
    expect(runtime.env).toMatchObject({ MODE: "test" });
    expect(runtime.lifecycle).toEqual({ idleTimeSeconds: 120, onIdle: "shutdown", resumeOnEvent: false });
    expect(runtime.networkPolicyId).toBe(policy.id);
    expect(Object.keys(runtime.gateways)).toEqual(["GWS_API"]);

    await row.getByRole("button", { name: "Shut down" }).click();
    await row.locator(".status", { hasText: "shutdown" }).waitFor();
    expect((await h.client.runtimes.get(runtime.id)).status).toBe("shutdown");
    expect(page.problems).toEqual([]);
  }, 60_000); // a runtime starts on a shared runner; not a speed assertion

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
    await h.screenshot(page, "runtimes", { docs: "runtimes" });
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
    await page
      .getByTestId("policies")
      .locator("tr", { hasText: "npm-only" })
      .getByText("registry.npmjs.org; agent gateway")
      .waitFor();
    await page.getByTestId("configs").getByText("https://api.anthropic.com").waitFor();
    expect(await page.content()).not.toContain(value);
    await h.screenshot(page, "gateway");
    expect(page.problems).toEqual([]);
  });

  it("shows an axon's gateway audit as a live table, opened from the gateway page, each row linked to its event", async () => {
    const axon = await h.client.axons.create({ name: "audited" });
    // What the gateway writes into a runtime's axons: SYSTEM events that clients may not publish.
    const audit = (eventType: string, payload: object) =>
      h.store.append(axon.id, [
        { origin: Origin.System, source: "gateway", eventType, payload: JSON.stringify(payload) },
      ]);
    await audit(EventType.GatewayAllowed, {
      runtime_id: "rt_1",
      host: "registry.npmjs.org",
      port: 443,
      reason: "allowed hostname",
    });
    await h.client.axon(axon.id).publish({ eventType: "build.step", payload: { n: 1 }, origin: "external" });
    await audit(EventType.GatewayDenied, {
      runtime_id: "rt_1",
      host: "evil.example",
      port: 443,
      reason: "not in network policy npm-only",
    });
    const page = await h.newPage();
    await page.goto(`${h.url}/gateway`);
    await page.getByLabel("Audit of axon").fill(axon.id);
    await page.getByRole("button", { name: "Open allowed/denied audit" }).click();
    const table = page.getByTestId("audit-table");
    await table.locator("tr", { hasText: "evil.example:443" }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/axons/${axon.id}/audit`);
    // Newest first; only the gateway's decisions.
    expect(await table.locator("tbody tr td:nth-child(3)").allTextContents()).toEqual(["denied", "allowed"]);
    expect(await page.getByTestId("audit-denied").textContent()).toBe("1");

    // Live: a decision written now appears without a reload.
    await audit(EventType.GatewayDenied, {
      runtime_id: "rt_1",
      host: "10.0.0.1",
      port: 22,
      reason: "private address",
    });
    await table.locator("tr", { hasText: "10.0.0.1:22" }).waitFor();
    await page.getByLabel("Show decisions").selectOption("allowed");
    await table.locator("tr", { hasText: "evil.example" }).waitFor({ state: "detached" });
    await page.getByLabel("Show decisions").selectOption("all");
    await h.screenshot(page, "gateway-audit", { docs: "gateway-audit" });

    // A row's sequence opens the timeline at that event.
    await table.getByRole("link", { name: "3", exact: true }).click();
    await page.locator('[data-seq="3"]', { hasText: "evil.example:443" }).waitFor();
    expect(page.url()).toMatch(new RegExp(`/axons/${axon.id}#3$`));
    expect(page.problems).toEqual([]);
  });
});
