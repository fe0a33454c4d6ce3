import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsoleHarness, startConsoleHarness } from "./console-harness.js";

const ADMIN_KEY = "admin-key-policies-0123";
const WRITER_KEY = "writer-key-policies-0123";

describe("console: network policies and gateway configs are created, edited and deleted from the Gateway page (issue 11, real Chromium)", () => {
  let h: ConsoleHarness;
  beforeAll(async () => {
    h = await startConsoleHarness({
      runtimes: true,
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

  /** Fills the open policy form (create or edit): replaces every field with what is given. */
  async function fillPolicy(
    page: Page,
    form: {
      name?: string;
      description?: string;
      hosts?: string;
      cidrs?: string;
      allowAll?: boolean;
      agentGateway?: boolean;
    },
  ) {
    const f = page.getByTestId("policy-form");
    if (form.name !== undefined) await f.getByLabel("Policy name").fill(form.name);
    if (form.description !== undefined) await f.getByLabel("Policy description").fill(form.description);
    if (form.hosts !== undefined) await f.getByLabel("Allowed hosts").fill(form.hosts);
    if (form.cidrs !== undefined) await f.getByLabel("CIDR rules").fill(form.cidrs);
    if (form.allowAll !== undefined) await f.getByLabel("any public address").setChecked(form.allowAll);
    if (form.agentGateway !== undefined)
      await f.getByLabel("the agent's gateway bindings").setChecked(form.agentGateway);
  }

  it("creates a policy from the form as stored, shows the server's refusals verbatim, edits it, and deletes it after confirming", async () => {
    const page = await pageWithKey(ADMIN_KEY);
    await page.getByRole("button", { name: "New network policy" }).click();
    const form = page.getByTestId("policy-form");
    await fillPolicy(page, {
      name: "npm-and-lan",
      description: "registry and the build cache",
      hosts: "registry.npmjs.org\n*.GitHub.com",
      cidrs: "10.0.0.0/8 443, 8000-8100\n192.168.1.7/32",
      agentGateway: true,
    });
    await form.getByRole("button", { name: "Create policy" }).click();
    const row = page.getByTestId("policies").locator("tr", { hasText: "npm-and-lan" });
    await row.waitFor();
    await form.waitFor({ state: "detached" });
    const created = await h.client.networkPolicies.get("npm-and-lan");
    expect(created).toMatchObject({
      name: "npm-and-lan",
      description: "registry and the build cache",
      egress: {
        allowAll: false,
        // Stored canonical: the server lowercases host names.
        allowedHostnames: ["registry.npmjs.org", "*.github.com"],
        allowedCidrs: [
          {
            cidr: "10.0.0.0/8",
            ports: [
              { start: 443, end: 443 },
              { start: 8000, end: 8100 },
            ],
          },
          { cidr: "192.168.1.7/32", ports: [] },
        ],
        allowAgentGateway: true,
      },
    });
    await row
      .getByText(
        "registry.npmjs.org, *.github.com; 10.0.0.0/8 ports 443,8000-8100; 192.168.1.7/32; agent gateway",
      )
      .waitFor();

    // What the form cannot read is said before sending; what the server refuses is said in its words.
    await page.getByRole("button", { name: "New network policy" }).click();
    await fillPolicy(page, { name: "bad-port", cidrs: "10.0.0.0/8 https" });
    await form.getByRole("button", { name: "Create policy" }).click();
    await form
      .getByText('CIDR rule "10.0.0.0/8 https": "https" is not a port or a range like 8000-8100')
      .waitFor();
    await fillPolicy(page, { cidrs: "", hosts: "exa mple.com" });
    await form.getByRole("button", { name: "Create policy" }).click();
    await form
      .getByText(
        'InvalidArgument: egress.allowed_hostnames: "exa?mple.com": invalid host name "exa?mple.com"',
      )
      .waitFor();
    await fillPolicy(page, { name: "npm-and-lan", hosts: "" });
    await form.getByRole("button", { name: "Create policy" }).click();
    await form.getByText(/^AlreadyExists: a network policy named "npm-and-lan" already exists/).waitFor();
    // The form keeps what was typed after a refusal.
    expect(await form.getByLabel("Policy name").inputValue()).toBe("npm-and-lan");
    expect((await h.client.networkPolicies.list()).map((p) => p.name)).toEqual(["npm-and-lan"]);
    await form.getByRole("button", { name: "Cancel" }).click();

    // Edit: the form opens with the stored rules in its own syntax; saving replaces the egress whole.
    await row.getByRole("button", { name: "Edit" }).click();
    const editRow = page.locator(`tr[data-policy-id="${created.id}"]`);
    const editor = editRow.getByTestId("policy-form");
    expect(await editor.getByLabel("Allowed hosts").inputValue()).toBe("registry.npmjs.org\n*.github.com");
    expect(await editor.getByLabel("CIDR rules").inputValue()).toBe(
      "10.0.0.0/8 443, 8000-8100\n192.168.1.7/32",
    );
    expect(await editor.getByLabel("the agent's gateway bindings").isChecked()).toBe(true);
    await fillPolicy(page, {
      hosts: "registry.npmjs.org\npypi.org",
      cidrs: "10.0.0.0/8 443",
      allowAll: true,
      agentGateway: false,
      description: "public, plus the cache",
    });
    await editor.getByRole("button", { name: "Save policy" }).click();
    await editor.waitFor({ state: "detached" });
    await editRow
      .getByText("any public address; registry.npmjs.org, pypi.org; 10.0.0.0/8 ports 443")
      .waitFor();
    const edited = await h.client.networkPolicies.get(created.id);
    expect(edited).toMatchObject({
      id: created.id,
      name: "npm-and-lan",
      description: "public, plus the cache",
      egress: {
        allowAll: true,
        allowedHostnames: ["registry.npmjs.org", "pypi.org"],
        allowedCidrs: [{ cidr: "10.0.0.0/8", ports: [{ start: 443, end: 443 }] }],
        allowAgentGateway: false,
      },
    });

    // Renaming onto another policy's name: ALREADY_EXISTS, and nothing changes.
    await h.client.networkPolicies.create({ name: "other" });
    await page.getByRole("button", { name: "Refresh" }).click();
    await page.getByTestId("policies").locator("tr", { hasText: "other" }).waitFor();
    await editRow.getByRole("button", { name: "Edit" }).click();
    await fillPolicy(page, { name: "other" });
    await editRow.getByRole("button", { name: "Save policy" }).click();
    await editRow.getByText(/^AlreadyExists: a network policy named "other" already exists/).waitFor();
    await editRow.getByRole("button", { name: "Cancel" }).click();
    expect((await h.client.networkPolicies.get(created.id)).name).toBe("npm-and-lan");

    // Delete asks first; nothing is deleted until the confirmation.
    await editRow.getByRole("button", { name: "Delete" }).click();
    await editRow.getByText("Delete network policy “npm-and-lan”?").waitFor();
    expect(await h.client.networkPolicies.list()).toHaveLength(2);
    await editRow.getByRole("button", { name: "Cancel" }).click();
    await editRow.getByRole("button", { name: "Delete" }).click();
    await editRow.getByRole("button", { name: "Confirm delete" }).click();
    await editRow.waitFor({ state: "detached" });
    expect((await h.client.networkPolicies.list()).map((p) => p.name)).toEqual(["other"]);
    await h.client.networkPolicies.delete("other");
    expect(page.problems.filter((p) => !/status of 40\d/.test(p))).toEqual([]);
  }, 60_000); // many round trips through a real browser on a shared runner; not a speed assertion

  it("a policy or config a runtime uses cannot be deleted: the row shows the server's reason, and the delete works once the runtime is shut down", async () => {
    const policy = await h.client.networkPolicies.create({
      name: "in-use",
      egress: { allowedHostnames: ["registry.npmjs.org"], allowAgentGateway: true },
    });
    await h.client.secrets.create({ name: "in-use-key", value: "sk-in-use-never-shown" });
    const config = await h.client.gatewayConfigs.create({
      name: "in-use-api",
      endpoint: "https://api.example.com",
      auth: { type: "bearer" },
    });
    const axon = await h.client.axons.create({ name: "uses-a-policy" });
    const runtime = await h.client.runtimes.create({
      name: "policy-user",
      mounts: [{ axonId: axon.id, protocol: "stdio", agentBinary: "cat" }],
      networkPolicy: "in-use",
      gateways: { GWS_API: { gateway: "in-use-api", secret: "in-use-key" } },
    });
    const page = await pageWithKey(ADMIN_KEY);
    const row = page.locator(`tr[data-policy-id="${policy.id}"]`);
    await row.getByRole("button", { name: "Delete" }).click();
    await row.getByRole("button", { name: "Confirm delete" }).click();
    await row
      .getByText(
        `FailedPrecondition: network policy "in-use" (${policy.id}) is used by runtime ${runtime.id}; shut it down first`,
      )
      .waitFor();
    const configRow = page.locator(`tr[data-config-id="${config.id}"]`);
    await configRow.getByRole("button", { name: "Delete" }).click();
    await configRow.getByRole("button", { name: "Confirm delete" }).click();
    await configRow
      .getByText(
        `FailedPrecondition: gateway config "in-use-api" (${config.id}) is used by runtime ${runtime.id}; shut it down first`,
      )
      .waitFor();
    expect((await h.client.networkPolicies.get(policy.id)).name).toBe("in-use");
    expect((await h.client.gatewayConfigs.get(config.id)).name).toBe("in-use-api");
    await h.screenshot(page, "gateway-in-use");

    await h.client.runtimes.shutdown(runtime.id);
    for (const r of [row, configRow]) {
      await r.getByRole("button", { name: "Delete" }).click();
      await r.getByRole("button", { name: "Confirm delete" }).click();
      await r.waitFor({ state: "detached" });
    }
    expect(await h.client.networkPolicies.list()).toEqual([]);
    expect(await h.client.gatewayConfigs.list()).toEqual([]);
    await h.client.secrets.delete("in-use-key");
    expect(page.problems.filter((p) => !/status of 40\d/.test(p))).toEqual([]);
  }, 60_000); // a runtime starts on a shared runner; not a speed assertion

  it("creates a gateway config from the form as stored, shows the server's refusal, and deletes it after confirming", async () => {
    const page = await pageWithKey(ADMIN_KEY);
    await page.getByRole("button", { name: "New gateway config" }).click();
    const form = page.getByTestId("config-form");
    // Bearer needs no key: the key field appears only for header and basic.
    expect(await form.getByLabel("Auth key").count()).toBe(0);
    await form.getByLabel("Config name").fill("anthropic");
    await form.getByLabel("Endpoint").fill("ftp://api.anthropic.com");
    await form.getByLabel("Config description").fill("Claude API");
    await form.getByLabel("Auth").selectOption("header");
    await form.getByLabel("Auth key").fill("x-api-key");
    await form.getByLabel("Custom headers").fill("anthropic-version: 2023-06-01");
    await form.getByRole("button", { name: "Create config" }).click();
    await form.getByText(/^InvalidArgument: .*endpoint/).waitFor();
    expect(await h.client.gatewayConfigs.list()).toEqual([]);

    await form.getByLabel("Endpoint").fill("https://api.anthropic.com");
    await form.getByRole("button", { name: "Create config" }).click();
    const row = page.getByTestId("configs").locator("tr", { hasText: "anthropic" });
    await row.waitFor();
    await form.waitFor({ state: "detached" });
    await row.getByText("anthropic-version: 2023-06-01").waitFor();
    expect(await h.client.gatewayConfigs.get("anthropic")).toMatchObject({
      name: "anthropic",
      endpoint: "https://api.anthropic.com",
      auth: { type: "header", key: "x-api-key" },
      customHeaders: { "anthropic-version": "2023-06-01" },
      description: "Claude API",
    });

    // A second one, bearer, for the picture; then the first is deleted after confirming.
    await page.getByRole("button", { name: "New gateway config" }).click();
    await form.getByLabel("Config name").fill("github");
    await form.getByLabel("Endpoint").fill("https://api.github.com");
    await form.getByRole("button", { name: "Create config" }).click();
    await page.getByTestId("configs").locator("tr", { hasText: "github" }).waitFor();
    expect((await h.client.gatewayConfigs.get("github")).auth).toEqual({ type: "bearer", key: "" });

    await row.getByRole("button", { name: "Delete" }).click();
    await row.getByText("Delete gateway config “anthropic”?").waitFor();
    expect(await h.client.gatewayConfigs.list()).toHaveLength(2);
    await row.getByRole("button", { name: "Confirm delete" }).click();
    await row.waitFor({ state: "detached" });
    expect((await h.client.gatewayConfigs.list()).map((c) => c.name)).toEqual(["github"]);
    await h.client.gatewayConfigs.delete("github");
    expect(page.problems.filter((p) => !/status of 40\d/.test(p))).toEqual([]);
  });

  it("the Gateway page with all three kinds, a policy being edited and a config being created (light and dark)", async () => {
    await h.client.secrets.create({ name: "ANTHROPIC_KEY", value: "sk-never-shown-in-the-picture" });
    await h.client.networkPolicies.create({
      name: "npm-only",
      description: "the npm registry, nothing else",
      egress: { allowedHostnames: ["registry.npmjs.org"], allowAgentGateway: true },
    });
    await h.client.networkPolicies.create({
      name: "lan-build-cache",
      egress: {
        allowAll: true,
        allowedCidrs: [{ cidr: "10.0.0.0/8", ports: [443, { start: 8000, end: 8100 }] }],
      },
    });
    await h.client.gatewayConfigs.create({
      name: "anthropic",
      endpoint: "https://api.anthropic.com",
      auth: { type: "header", key: "x-api-key" },
      customHeaders: { "anthropic-version": "2023-06-01" },
      description: "Claude API",
    });
    const page = await pageWithKey(ADMIN_KEY);
    const row = page.getByTestId("policies").locator("tr", { hasText: "lan-build-cache" });
    await row.getByRole("button", { name: "Edit" }).click();
    await page.getByTestId("configs").getByText("https://api.anthropic.com").waitFor();
    await page.getByRole("button", { name: "New gateway config" }).click();
    const form = page.getByTestId("config-form");
    await form.getByLabel("Config name").fill("github");
    await form.getByLabel("Endpoint").fill("https://api.github.com");
    await form.getByLabel("Custom headers").fill("x-github-api-version: 2022-11-28");
    // Both forms open make the page taller than the usual viewport; the picture shows all of it.
    await page.setViewportSize({ width: 1280, height: 960 });
    await page.locator("h1").click();
    await h.screenshot(page, "gateway-manage", { docs: "gateway" });
    await page.getByRole("button", { name: /^Theme: auto/ }).click();
    await expect
      .poll(() => page.evaluate(() => getComputedStyle(document.body).backgroundColor))
      .toBe("rgb(20, 22, 26)");
    await h.screenshot(page, "gateway-manage-dark");
    expect(page.problems).toEqual([]);
  });

  it("a key without the admin scope sees PermissionDenied in the server's words, and nothing is created", async () => {
    const page = await pageWithKey(WRITER_KEY);
    await page
      .getByRole("alert")
      .getByText(/PermissionDenied: .*admin/)
      .waitFor();
    await page.getByRole("button", { name: "New network policy" }).click();
    await fillPolicy(page, { name: "writer-policy", hosts: "example.com" });
    await page.getByRole("button", { name: "Create policy" }).click();
    await page
      .getByTestId("policy-form")
      .getByText(/^PermissionDenied: .*admin/)
      .waitFor();
    await page.getByRole("button", { name: "New gateway config" }).click();
    const form = page.getByTestId("config-form");
    await form.getByLabel("Config name").fill("writer-config");
    await form.getByLabel("Endpoint").fill("https://example.com");
    await form.getByRole("button", { name: "Create config" }).click();
    await form.getByText(/^PermissionDenied: .*admin/).waitFor();
    const names = async () => [
      ...(await h.client.networkPolicies.list()).map((p) => p.name),
      ...(await h.client.gatewayConfigs.list()).map((c) => c.name),
    ];
    expect(await names()).not.toContain("writer-policy");
    expect(await names()).not.toContain("writer-config");
    expect(page.problems.filter((p) => !/status of 40[13]/.test(p))).toEqual([]);
  });
});
