import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AxonClient, Code, ConnectError, createAxonClient } from "../src/index.js";
import { type RealServer, startRealServer } from "../src/test-support/index.js";

const SECRET = "sk-test-client-sdk-never-returned-91c2";

let real: RealServer;
let client: AxonClient;

beforeAll(async () => {
  real = await startRealServer({ gateway: true });
  client = createAxonClient({ baseUrl: real.url });
});

afterAll(async () => {
  await real.close();
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "ok";
  } catch (error) {
    if (!(error instanceof ConnectError)) throw error;
    return Code[error.code];
  }
}

describe("client.secrets", () => {
  it("creates, lists and deletes secrets; the value never comes back", async () => {
    const created = await client.secrets.create({ name: "anthropic", value: SECRET });
    expect(created).toEqual({
      id: expect.stringMatching(/^sec_/),
      name: "anthropic",
      createdAtMs: expect.any(Number),
    });
    const listed = await client.secrets.list();
    expect(listed).toEqual([created]);
    expect(JSON.stringify([created, listed])).not.toContain(SECRET);

    expect(await codeOf(client.secrets.create({ name: "anthropic", value: SECRET }))).toBe("AlreadyExists");
    await client.secrets.delete("anthropic");
    expect(await client.secrets.list()).toEqual([]);
    expect(await codeOf(client.secrets.delete(created.id))).toBe("NotFound");
  });
});

describe("client.networkPolicies", () => {
  it("creates, reads, updates and deletes policies in canonical form", async () => {
    const created = await client.networkPolicies.create({
      name: "github-only",
      description: "GitHub and the gateway",
      egress: {
        allowedHostnames: ["*.GitHub.com.", "github.com"],
        allowedCidrs: [{ cidr: "10.1.2.0/24", ports: [443, { start: 8000, end: 8080 }] }],
        allowAgentGateway: true,
      },
    });
    expect(created).toMatchObject({
      id: expect.stringMatching(/^np_/),
      name: "github-only",
      description: "GitHub and the gateway",
      egress: {
        allowAll: false,
        allowedHostnames: ["*.github.com", "github.com"],
        allowedCidrs: [
          {
            cidr: "10.1.2.0/24",
            ports: [
              { start: 443, end: 443 },
              { start: 8000, end: 8080 },
            ],
          },
        ],
        allowAgentGateway: true,
      },
    });
    expect(await client.networkPolicies.get("github-only")).toEqual(created);
    expect(await client.networkPolicies.list()).toEqual([created]);

    const updated = await client.networkPolicies.update(created.id, {
      description: "anything public",
      egress: { allowAll: true },
    });
    expect(updated).toMatchObject({
      name: "github-only",
      description: "anything public",
      egress: { allowAll: true, allowedHostnames: [], allowedCidrs: [], allowAgentGateway: false },
    });
    expect(
      await codeOf(client.networkPolicies.create({ name: "bad", egress: { allowedHostnames: ["a.*.com"] } })),
    ).toBe("InvalidArgument");
    await client.networkPolicies.delete("github-only");
    expect(await codeOf(client.networkPolicies.get(created.id))).toBe("NotFound");
  });
});

describe("client.gatewayConfigs", () => {
  it("creates, reads, lists and deletes gateway configs", async () => {
    const created = await client.gatewayConfigs.create({
      name: "anthropic",
      endpoint: "https://api.anthropic.com/",
      auth: { type: "header", key: "x-api-key" },
      customHeaders: { "anthropic-version": "2023-06-01" },
    });
    expect(created).toMatchObject({
      id: expect.stringMatching(/^gwc_/),
      name: "anthropic",
      endpoint: "https://api.anthropic.com",
      auth: { type: "header", key: "x-api-key" },
      customHeaders: { "anthropic-version": "2023-06-01" },
      description: "",
    });
    const bearer = await client.gatewayConfigs.create({
      name: "openai",
      endpoint: "https://api.openai.com",
      auth: { type: "bearer" },
    });
    expect(bearer.auth).toEqual({ type: "bearer", key: "" });
    expect(await client.gatewayConfigs.get("anthropic")).toEqual(created);
    expect((await client.gatewayConfigs.list()).map((config) => config.name)).toEqual([
      "anthropic",
      "openai",
    ]);
    expect(
      await codeOf(
        client.gatewayConfigs.create({ name: "basic", endpoint: "https://x.test", auth: { type: "basic" } }),
      ),
    ).toBe("InvalidArgument");
    await client.gatewayConfigs.delete(created.id);
    await client.gatewayConfigs.delete("openai");
    expect(await client.gatewayConfigs.list()).toEqual([]);
  });
});
