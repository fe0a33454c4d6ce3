import { seededRng } from "@openaxon/core";
import { ManualClock } from "@openaxon/core/testing";
import {
  memoryRecords,
  RegistryAlreadyExistsError,
  RegistryNotFoundError,
  RegistryValidationError,
} from "@openaxon/gateway/registry";
import { describe, expect, test } from "vitest";
import { WebhookRegistry } from "./webhook-registry.js";

function registry() {
  const secrets = new Map([["gh", "value-1"]]);
  const webhooks = new WebhookRegistry({
    records: memoryRecords(),
    secrets: {
      getSecret: async (name) => {
        if (!secrets.has(name)) throw new RegistryNotFoundError(`secret "${name}" not found`);
        return { id: "sec_x", name, createdAtMs: 0 };
      },
      resolveSecretValue: async (name) => {
        const value = secrets.get(name);
        if (value === undefined) throw new RegistryNotFoundError(`secret "${name}" not found`);
        return value;
      },
    },
    axons: { getAxon: async (id) => (id === "axn_1" ? ({ id } as never) : undefined) },
    clock: new ManualClock(1_000),
    rng: seededRng(1),
  });
  return { webhooks, secrets };
}

const input = { axonId: "axn_1", name: "github", provider: "github" as const, secretName: "gh" };

describe("WebhookRegistry", () => {
  test("two concurrent creates of one name: one wins, the other is ALREADY_EXISTS", async () => {
    const { webhooks } = registry();
    const results = await Promise.allSettled([webhooks.create(input), webhooks.create(input)]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect((results.find((r) => r.status === "rejected") as PromiseRejectedResult).reason).toBeInstanceOf(
      RegistryAlreadyExistsError,
    );
    // The same name on another axon would be fine; here the axon is unknown.
    await expect(webhooks.create({ ...input, axonId: "axn_2" })).rejects.toBeInstanceOf(
      RegistryNotFoundError,
    );
  });

  test("every problem at once; the signing secret is undefined once the secret is gone", async () => {
    const { webhooks, secrets } = registry();
    const error = await webhooks
      .create({ axonId: "", name: "a b", provider: undefined, secretName: "" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryValidationError);
    expect((error as RegistryValidationError).problems).toHaveLength(4);
    const webhook = await webhooks.create(input);
    expect(await webhooks.find("axn_1", "github")).toEqual(webhook);
    expect(await webhooks.signingSecret(webhook)).toBe("value-1");
    secrets.delete("gh");
    expect(await webhooks.signingSecret(webhook)).toBeUndefined();
  });
});
