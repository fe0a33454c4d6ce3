import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsoleHarness, startConsoleHarness } from "./console-harness.js";

describe("console: a server that requires an API key (issue 11, real Chromium)", () => {
  let h: ConsoleHarness;
  beforeAll(async () => {
    h = await startConsoleHarness({
      apiKeys: ["admin-key-0123", { key: "reader-key-0123", scopes: ["read"] }],
    });
  });
  afterAll(async () => h?.close());

  it("serves the page without a key, asks for one, and shows what the key's scope does not allow", async () => {
    await h.client.axons.create({ name: "keyed" });
    const page = await h.newPage();
    await page.goto(`${h.url}/`);
    await page.getByRole("alert").getByText("set the API key").waitFor();

    page.once("dialog", (dialog) => void dialog.accept("reader-key-0123"));
    await page.getByRole("button", { name: "API key" }).click();
    await page.locator("tr", { hasText: "keyed" }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem("openaxon.apiKey"))).toBe("reader-key-0123");

    // A read-only key cannot create: the server's message, naming the scope, is shown.
    await page.getByLabel("New axon name").fill("not-allowed");
    await page.getByRole("button", { name: "Create" }).click();
    await page.getByText(/PermissionDenied: .*publish/).waitFor();
    expect((await h.client.axons.listPage({ namePrefix: "not-allowed" })).axons).toHaveLength(0);
    await h.screenshot(page, "auth-read-only");
    // The 401s and 403s the browser logs are expected here; nothing else is.
    expect(page.problems.filter((p) => !/status of 40[13]/.test(p))).toEqual([]);
  });
});
