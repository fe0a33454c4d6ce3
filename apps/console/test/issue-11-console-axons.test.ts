import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsoleHarness, startConsoleHarness } from "./console-harness.js";

describe("console: axons list (issue 11, real Chromium)", () => {
  let h: ConsoleHarness;
  beforeAll(async () => {
    h = await startConsoleHarness();
  });
  afterAll(async () => h?.close());

  it("creates an axon from the UI, finds it by name prefix, and deletes it only after confirming", async () => {
    await h.client.axons.create({ name: "billing-agent", labels: { team: "pay" } });
    const page = await h.newPage();
    await page.goto(`${h.url}/`);
    await page.getByLabel("New axon name").fill("console-made");
    await page.getByLabel("Labels").fill("env=dev, owner=me");
    await page.getByRole("button", { name: "Create" }).click();
    const row = page.locator("tr", { hasText: "console-made" });
    await row.waitFor();
    expect(await row.textContent()).toContain("env=dev");
    const created = (await h.client.axons.listPage({ namePrefix: "console-made" })).axons;
    expect(created).toHaveLength(1);
    expect(created[0]!.labels).toEqual({ env: "dev", owner: "me" });
    await h.screenshot(page, "axons-list", { docs: "axons" });

    await page.getByLabel("Name prefix").fill("bill");
    await page.locator("tr", { hasText: "console-made" }).waitFor({ state: "detached" });
    expect(await page.locator("tbody tr").count()).toBe(1);
    await page.getByLabel("Name prefix").fill("");

    await row.getByRole("button", { name: "Delete" }).click();
    // Nothing is deleted until the confirmation.
    expect((await h.client.axons.listPage({ namePrefix: "console-made" })).axons).toHaveLength(1);
    await h.screenshot(page, "axons-delete-confirm");
    await row.getByRole("button", { name: "Confirm delete" }).click();
    await row.waitFor({ state: "detached" });
    expect((await h.client.axons.listPage({ namePrefix: "console-made" })).axons).toHaveLength(0);
    expect(page.problems).toEqual([]);
  });

  it("pages through more axons than fit one page", async () => {
    for (let i = 0; i < 55; i++) await h.client.axons.create({ name: `paged-${String(i).padStart(2, "0")}` });
    const page = await h.newPage();
    await page.goto(`${h.url}/axons`);
    await page.getByLabel("Name prefix").fill("paged-");
    await page.locator("tr", { hasText: "paged-49" }).waitFor();
    expect(await page.locator("tbody tr").count()).toBe(50);
    await page.getByRole("button", { name: "Next →" }).click();
    await page.locator("tr", { hasText: "paged-54" }).waitFor();
    expect(await page.locator("tbody tr").count()).toBe(5);
    await page.getByRole("button", { name: "← Previous" }).click();
    await page.locator("tr", { hasText: "paged-00" }).waitFor();
    expect(page.problems).toEqual([]);
  });
});
