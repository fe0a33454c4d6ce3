import { seededRng, systemRng } from "@openaxon/core";
import { AuthMechanismType } from "@openaxon/protocol";
import { describe, expect, it } from "vitest";
import {
  GatewayRegistry,
  type GatewayRegistryOptions,
  type NetworkPolicyRecord,
} from "./gateway-registry.js";
import { EMPTY_EGRESS } from "./network-policy-input.js";
import { memoryRecords, type RecordsPort } from "./records-port.js";
import {
  RegistryAlreadyExistsError,
  RegistryInUseError,
  RegistryNotFoundError,
  RegistryValidationError,
  SecretKeyMismatchError,
} from "./registry-errors.js";
import type { ResourceKind } from "./resource-kinds.js";
import { SecretBox } from "./secret-box.js";

const SECRET = "sk-ant-registry-secret-0123456789";
const KEY = new Uint8Array(32).fill(1);
const clock = { now: () => 1_700_000_000_000, setTimer: () => ({ cancel() {} }) };

function open(options: Partial<GatewayRegistryOptions> = {}) {
  const records = options.records ?? memoryRecords();
  return GatewayRegistry.open({
    records,
    box: new SecretBox(KEY, systemRng),
    clock,
    rng: seededRng(7),
    ...options,
  });
}

/** Every byte the registry wrote, as text. */
async function dump(records: RecordsPort): Promise<string> {
  const kinds = ["gateway.secret", "gateway.network_policy", "gateway.config", "gateway.key"];
  return JSON.stringify(await Promise.all(kinds.map((kind) => records.list(kind))));
}

const anthropic = {
  name: "anthropic",
  endpoint: "https://api.anthropic.com",
  authMechanism: { type: AuthMechanismType.HEADER, key: "x-api-key" },
};

describe("GatewayRegistry secrets", () => {
  it("seals values with the secret id as context and lists them without values", async () => {
    const records = memoryRecords();
    const registry = await open({ records });
    const info = await registry.createSecret({ name: "anthropic-key", value: SECRET });
    expect(info).toEqual({
      id: expect.stringMatching(/^sec_[0-9a-z]{26}$/),
      name: "anthropic-key",
      createdAtMs: clock.now(),
    });
    expect(await registry.listSecrets()).toEqual([info]);
    expect(await registry.getSecret("anthropic-key")).toEqual(info);
    expect(await dump(records)).not.toContain(SECRET);
    expect(await registry.resolveSecretValue(info.id)).toBe(SECRET);
    expect(await registry.resolveSecretValue("anthropic-key")).toBe(SECRET);
  });

  it("refuses a duplicate name, unknown ids and names, and bad input without echoing the value", async () => {
    const registry = await open();
    await registry.createSecret({ name: "k", value: SECRET });
    await expect(registry.createSecret({ name: "k", value: SECRET })).rejects.toThrow(
      RegistryAlreadyExistsError,
    );
    await expect(registry.deleteSecret("nope")).rejects.toThrow(RegistryNotFoundError);
    await expect(registry.resolveSecretValue("sec_0000000000zzzzzzzzzzzzzzzz")).rejects.toThrow(
      RegistryNotFoundError,
    );
    const error = await registry.createSecret({ name: "bad name", value: `${SECRET}\n` }).catch((e) => e);
    expect(error).toBeInstanceOf(RegistryValidationError);
    expect(error.problems).toHaveLength(2);
    expect(String(error.message)).not.toContain(SECRET);
  });

  it("takes a name only once even under concurrent creates", async () => {
    const registry = await open();
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => registry.createSecret({ name: "race", value: SECRET })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await registry.listSecrets()).toHaveLength(1);
  });

  it("deletes by id or name", async () => {
    const registry = await open();
    const a = await registry.createSecret({ name: "a", value: SECRET });
    await registry.createSecret({ name: "b", value: SECRET });
    await registry.deleteSecret(a.id);
    await registry.deleteSecret("b");
    expect(await registry.listSecrets()).toEqual([]);
  });
});

describe("GatewayRegistry key check", () => {
  it("opens with the same key, refuses another one clearly, and can forget secrets of a lost key", async () => {
    const records = memoryRecords();
    const first = await open({ records });
    const secret = await first.createSecret({ name: "k", value: SECRET });
    expect(await (await open({ records })).resolveSecretValue("k")).toBe(SECRET);

    const otherBox = new SecretBox(new Uint8Array(32).fill(2), systemRng);
    const error = await open({ records, box: otherBox }).catch((e) => e);
    expect(error).toBeInstanceOf(SecretKeyMismatchError);
    expect(error.message).toMatch(/OPENAXON_SECRET_KEY or <data dir>\/secret.key/);

    const recovered = await open({ records, box: otherBox, forgetSecretsOnKeyMismatch: true });
    expect(await recovered.listSecrets()).toEqual([]);
    await expect(recovered.resolveSecretValue(secret.id)).rejects.toThrow(RegistryNotFoundError);
    await recovered.createSecret({ name: "k", value: SECRET });
    expect(await (await open({ records, box: otherBox })).resolveSecretValue("k")).toBe(SECRET);
  });

  it("names the secret, not its value, when one record cannot be opened", async () => {
    const records = memoryRecords();
    const registry = await open({ records });
    const { id } = await registry.createSecret({ name: "k", value: SECRET });
    const stored = await records.get<{ sealed: string }>("gateway.secret", id);
    // A sealed value moved onto another record fails its authenticated context.
    await records.put("gateway.secret", id, {
      ...stored,
      id,
      sealed: new SecretBox(KEY, systemRng).seal(SECRET, "sec_other"),
    });
    const error = await registry.resolveSecretValue(id).catch((e) => e);
    expect(error).toBeInstanceOf(SecretKeyMismatchError);
    expect(error.message).toContain(`"k" (${id})`);
    expect(error.message).not.toContain(SECRET);
  });
});

describe("GatewayRegistry network policies", () => {
  it("creates normalized policies, gets them by id or name, updates and deletes", async () => {
    const registry = await open();
    const updates: NetworkPolicyRecord[] = [];
    registry.onNetworkPolicyUpdated((p) => updates.push(p));
    const policy = await registry.createNetworkPolicy({
      name: "github",
      egress: { ...EMPTY_EGRESS, allowedHostnames: ["*.GitHub.com."] },
    });
    expect(policy.id).toMatch(/^np_/);
    expect(policy.egress.allowedHostnames).toEqual(["*.github.com"]);
    expect(await registry.getNetworkPolicy("github")).toEqual(policy);
    expect(await registry.getNetworkPolicy(policy.id)).toEqual(policy);

    const renamed = await registry.updateNetworkPolicy("github", { name: "gh", description: "code hosts" });
    expect(renamed).toMatchObject({ name: "gh", description: "code hosts", egress: policy.egress });
    const widened = await registry.updateNetworkPolicy(policy.id, {
      egress: { ...EMPTY_EGRESS, allowAll: true },
    });
    expect(widened.egress).toEqual({ ...EMPTY_EGRESS, allowAll: true });
    expect(updates.map((p) => p.name)).toEqual(["gh", "gh"]);

    await registry.deleteNetworkPolicy("gh");
    await expect(registry.getNetworkPolicy(policy.id)).rejects.toThrow(RegistryNotFoundError);
  });

  it("reports every problem of a policy and keeps names unique on create and rename", async () => {
    const registry = await open();
    const error = await registry
      .createNetworkPolicy({ name: "", egress: { ...EMPTY_EGRESS, allowedHostnames: ["a.*.com", "*.com"] } })
      .catch((e) => e);
    expect(error.problems).toHaveLength(3);
    await registry.createNetworkPolicy({ name: "a" });
    await registry.createNetworkPolicy({ name: "b" });
    await expect(registry.createNetworkPolicy({ name: "a" })).rejects.toThrow(RegistryAlreadyExistsError);
    await expect(registry.updateNetworkPolicy("b", { name: "a" })).rejects.toThrow(
      RegistryAlreadyExistsError,
    );
    expect((await registry.updateNetworkPolicy("b", { name: "b" })).name).toBe("b");
  });
});

describe("GatewayRegistry gateway configs and references", () => {
  it("creates, gets, lists and deletes configs", async () => {
    const registry = await open();
    const config = await registry.createGatewayConfig({
      ...anthropic,
      customHeaders: { "anthropic-version": "1" },
    });
    expect(config).toMatchObject({
      id: expect.stringMatching(/^gwc_/),
      endpoint: "https://api.anthropic.com",
    });
    expect(await registry.getGatewayConfig("anthropic")).toEqual(config);
    expect(await registry.listGatewayConfigs()).toEqual([config]);
    await expect(registry.createGatewayConfig(anthropic)).rejects.toThrow(RegistryAlreadyExistsError);
    await registry.deleteGatewayConfig(config.id);
    expect(await registry.listGatewayConfigs()).toEqual([]);
  });

  it("refuses to delete what a runtime uses, naming the runtimes", async () => {
    const used = new Map<string, string[]>();
    const registry = await open({ referencedBy: (_kind: ResourceKind, id: string) => used.get(id) ?? [] });
    const secret = await registry.createSecret({ name: "k", value: SECRET });
    used.set(secret.id, ["rt_a", "rt_b"]);
    const error = await registry.deleteSecret("k").catch((e) => e);
    expect(error).toBeInstanceOf(RegistryInUseError);
    expect(error.runtimes).toEqual(["rt_a", "rt_b"]);
    expect(error.message).toMatch(/used by runtimes rt_a, rt_b/);
    used.delete(secret.id);
    await registry.deleteSecret("k");
  });

  it("exclusive holds deletes back until a runtime that references the secret is recorded", async () => {
    const runtimes = new Map<string, string>();
    const registry = await open({
      referencedBy: (_kind: ResourceKind, id: string) =>
        [...runtimes].filter(([, s]) => s === id).map(([r]) => r),
    });
    await registry.createSecret({ name: "k", value: SECRET });
    let release!: () => void;
    const persisted = new Promise<void>((resolve) => {
      release = resolve;
    });
    const creating = registry.exclusive(async () => {
      const { id } = await registry.getSecret("k"); // resolve, then persist the runtime
      await persisted;
      runtimes.set("rt_1", id);
    });
    const deleting = registry.deleteSecret("k");
    release();
    await creating;
    await expect(deleting).rejects.toThrow(RegistryInUseError);
  });

  it("resolves a runtime's policy and bindings, reporting every bad prefix or unknown reference", async () => {
    const registry = await open();
    const secret = await registry.createSecret({ name: "k", value: SECRET });
    const config = await registry.createGatewayConfig(anthropic);
    const policy = await registry.createNetworkPolicy({
      name: "p",
      egress: { ...EMPTY_EGRESS, allowAgentGateway: true },
    });
    const resolved = await registry.resolveRuntimeNetwork({
      networkPolicy: "p",
      gateways: { GWS_ANTHROPIC: { gateway: "anthropic", secret: secret.id } },
    });
    expect(resolved).toEqual({
      networkPolicy: policy,
      bindings: [{ prefix: "GWS_ANTHROPIC", gateway: config, secret }],
    });
    expect(await registry.openBindings("rt_1", resolved.bindings)).toEqual([
      { runtimeId: "rt_1", prefix: "GWS_ANTHROPIC", gateway: config, secret: SECRET },
    ]);

    const invalid = await registry
      .resolveRuntimeNetwork({
        gateways: {
          lower: { gateway: "a", secret: "k" },
          A: { gateway: "", secret: "k" },
          A_URL: { gateway: "a", secret: "k" },
        },
      })
      .catch((e) => e);
    expect(invalid).toBeInstanceOf(RegistryValidationError);
    expect(invalid.problems).toHaveLength(3);

    const missing = await registry
      .resolveRuntimeNetwork({ networkPolicy: "nope", gateways: { A: { gateway: "nope", secret: "nope" } } })
      .catch((e) => e);
    expect(missing).toBeInstanceOf(RegistryNotFoundError);
    expect(missing.message).toBe(
      'network policy "nope" not found; gateway config "nope" not found; secret "nope" not found',
    );

    await registry.createNetworkPolicy({ name: "closed" });
    await expect(
      registry.resolveRuntimeNetwork({
        networkPolicy: "closed",
        gateways: { A: { gateway: "anthropic", secret: "k" } },
      }),
    ).rejects.toThrow(/does not allow the agent gateway/);
    expect(await registry.resolveRuntimeNetwork({})).toEqual({ bindings: [] });
  });
});
