import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsoleHarness, startConsoleHarness } from "./console-harness.js";

const ADMIN_KEY = "admin-key-gateway-0123";
const WRITER_KEY = "writer-key-gateway-0123";

describe("console: gateway secrets are created and deleted from the UI, values write-only (issue 11, real Chromium)", () => {
  let h: ConsoleHarness;
  beforeAll(async () => {
    h = await startConsoleHarness({
      gateway: true,
      apiKeys: [ADMIN_KEY, { key: WRITER_KEY, scopes: ["read", "publish"] }],
    });
  });
  afterAll(async () => h?.close());

  async function pageWithKey(key: string) {
    const page = await h.newPage();
    await page.addInitScript((k) => sessionStorage.setItem("openaxon.apiKey", k), key);
    await page.goto(`${h.url}/gateway`);
    return page;
  }

  it("creates a secret whose value appears nowhere, shows the server's errors, and deletes only after confirming", async () => {
    const value = "sk-typed-in-the-console-7731";
    const page = await pageWithKey(ADMIN_KEY);
    const form = page.getByTestId("create-secret");
    expect(await form.getByLabel("Secret value").getAttribute("type")).toBe("password");
    await form.getByLabel("Secret name").fill("console-key");
    await form.getByLabel("Secret value").fill(value);
    await form.getByRole("button", { name: "Create secret" }).click();
    const row = page.getByTestId("secrets").locator("tr", { hasText: "console-key" });
    await row.waitFor();
    expect(await form.getByLabel("Secret value").inputValue()).toBe("");
    expect(await form.getByLabel("Secret name").inputValue()).toBe("");
    const listed = await h.client.secrets.list();
    expect(listed.map((s) => s.name)).toEqual(["console-key"]);
    expect(JSON.stringify(listed)).not.toContain(value);
    expect(await page.content()).not.toContain(value);

    // The same name again: ALREADY_EXISTS, in the server's words, and still no value on the page.
    await form.getByLabel("Secret name").fill("console-key");
    await form.getByLabel("Secret value").fill(value);
    await form.getByRole("button", { name: "Create secret" }).click();
    await form.getByText(/AlreadyExists: a secret named "console-key" already exists/).waitFor();
    expect(await page.content()).not.toContain(value);

    // A value pasted into the name field: the server quotes the name; the console masks it.
    await form.getByLabel("Secret name").fill(`${value} x`);
    await form.getByLabel("Secret value").fill(value);
    await form.getByRole("button", { name: "Create secret" }).click();
    await form.getByText(/InvalidArgument: name "••• x" must be/).waitFor();
    expect(await page.content()).not.toContain(value);
    expect(await h.client.secrets.list()).toHaveLength(1);
    await h.screenshot(page, "gateway-secret-error");

    await row.getByRole("button", { name: "Delete" }).click();
    await row.getByText("Delete secret “console-key”?").waitFor();
    // Nothing is deleted until the confirmation.
    expect(await h.client.secrets.list()).toHaveLength(1);
    await row.getByRole("button", { name: "Cancel" }).click();
    await row.getByRole("button", { name: "Delete" }).click();
    await row.getByRole("button", { name: "Confirm delete" }).click();
    await row.waitFor({ state: "detached" });
    expect(await h.client.secrets.list()).toEqual([]);
    expect(page.problems.filter((p) => !/status of 40\d/.test(p))).toEqual([]);
  });

  it("shows PERMISSION_DENIED from the server when the key is not an admin's", async () => {
    const value = "sk-from-a-writer-0042";
    const page = await pageWithKey(WRITER_KEY);
    // Listing secrets is administration too: the page says so.
    await page
      .getByRole("alert")
      .getByText(/PermissionDenied: .*admin/)
      .waitFor();
    const form = page.getByTestId("create-secret");
    await form.getByLabel("Secret name").fill("writer-key");
    await form.getByLabel("Secret value").fill(value);
    await form.getByRole("button", { name: "Create secret" }).click();
    await form.getByText(/PermissionDenied: .*admin/).waitFor();
    expect(await page.content()).not.toContain(value);
    expect(await h.client.secrets.list()).toEqual([]);
    expect(page.problems.filter((p) => !/status of 40[13]/.test(p))).toEqual([]);
  });
});
