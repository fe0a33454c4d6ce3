import { Code, ConnectError } from "@connectrpc/connect";
import { AuthMechanismType } from "@openaxon/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startAxonServer } from "../src/index.js";
import { type GatewayHarness, startGatewayHarness } from "./support/gateway-harness.js";

let h: GatewayHarness;
const inUse = new Map<string, string[]>();
beforeAll(async () => {
  h = await startGatewayHarness({ referencedBy: (_kind, id) => inUse.get(id) ?? [] });
});
afterAll(() => h.close());

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error) => ConnectError.from(error),
  );

const anthropic = {
  name: "anthropic",
  endpoint: "https://api.anthropic.com/",
  authMechanism: { type: AuthMechanismType.HEADER, key: "x-api-key" },
  customHeaders: { "anthropic-version": "2023-06-01" },
  description: "Claude",
};

describe("GatewayConfigService", () => {
  test("create, get by id or name, list, delete", async () => {
    const { gatewayConfig } = await h.configs.createGatewayConfig(anthropic);
    expect(gatewayConfig).toMatchObject({
      ...anthropic,
      id: expect.stringMatching(/^gwc_[0-9a-z]{26}$/),
      endpoint: "https://api.anthropic.com",
    });
    expect((await h.configs.getGatewayConfig({ id: "anthropic" })).gatewayConfig).toEqual(gatewayConfig);
    expect((await h.configs.getGatewayConfig({ id: gatewayConfig!.id })).gatewayConfig).toEqual(
      gatewayConfig,
    );
    expect((await h.configs.listGatewayConfigs({})).gatewayConfigs.map((c) => c.name)).toContain("anthropic");
    await h.configs.deleteGatewayConfig({ id: "anthropic" });
    expect((await errorOf(h.configs.getGatewayConfig({ id: gatewayConfig!.id }))).code).toBe(Code.NotFound);
  });

  test("INVALID_ARGUMENT lists every problem: endpoint, auth mechanism, custom headers", async () => {
    const error = await errorOf(
      h.configs.createGatewayConfig({
        name: "broken",
        endpoint: "api.example.com/v1",
        authMechanism: { type: AuthMechanismType.BASIC },
        customHeaders: { "X-Evil": "a\r\nX-Injected: 1", Connection: "close" },
      }),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage.split("; ")).toEqual([
      expect.stringMatching(/^endpoint "api.example.com\/v1" is not an absolute URL/),
      "auth_mechanism.key is required for BASIC: the user name",
      expect.stringMatching(/value of "X-Evil" contains a line break/),
      expect.stringMatching(/"Connection" is hop-by-hop/),
    ]);
    const noAuth = await errorOf(
      h.configs.createGatewayConfig({ name: "x", endpoint: "https://api.example.com" }),
    );
    expect(noAuth.rawMessage).toBe("auth_mechanism.type is required: HEADER, BEARER or BASIC");
    const bearer = await h.configs.createGatewayConfig({
      name: "openai",
      endpoint: "https://api.openai.com/v1",
      authMechanism: { type: AuthMechanismType.BEARER },
    });
    expect(bearer.gatewayConfig?.authMechanism).toMatchObject({ type: AuthMechanismType.BEARER, key: "" });
  });

  test("duplicate names are ALREADY_EXISTS; a config in use is FAILED_PRECONDITION", async () => {
    const { gatewayConfig } = await h.configs.createGatewayConfig({ ...anthropic, name: "shared" });
    expect((await errorOf(h.configs.createGatewayConfig({ ...anthropic, name: "shared" }))).code).toBe(
      Code.AlreadyExists,
    );
    inUse.set(gatewayConfig!.id, ["rt_x"]);
    const error = await errorOf(h.configs.deleteGatewayConfig({ id: "shared" }));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toMatch(/is used by runtime rt_x/);
    inUse.delete(gatewayConfig!.id);
    await h.configs.deleteGatewayConfig({ id: gatewayConfig!.id });
  });

  test("a server started without a registry serves AxonService only", async () => {
    const server = await startAxonServer({ store: h.store, host: "127.0.0.1", port: 0 });
    try {
      const response = await fetch(`${server.url}/openaxon.v1.GatewayConfigService/ListGatewayConfigs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      expect(response.status).toBe(404);
      const axons = await fetch(`${server.url}/openaxon.v1.AxonService/ListAxons`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      expect(axons.status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
