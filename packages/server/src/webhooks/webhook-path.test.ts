import { describe, expect, test } from "vitest";
import { isWebhookPath, parseWebhookPath } from "./webhook-path.js";

describe("parseWebhookPath", () => {
  test("exactly two non-empty segments under /webhooks/; the query is ignored", () => {
    expect(parseWebhookPath("/webhooks/axn_1/github")).toEqual({ axonId: "axn_1", name: "github" });
    expect(parseWebhookPath("/webhooks/axn_1/github?x=1")).toEqual({ axonId: "axn_1", name: "github" });
    for (const url of [
      "/webhooks/",
      "/webhooks/axn_1",
      "/webhooks/axn_1/",
      "/webhooks//github",
      "/webhooks/a/b/c",
      "/webhook/a/b",
    ]) {
      expect(parseWebhookPath(url), url).toBeUndefined();
    }
  });

  test("everything under the prefix is the endpoint's (so it answers 404 itself), nothing else", () => {
    expect(isWebhookPath("/webhooks/x")).toBe(true);
    expect(isWebhookPath("/openaxon.v1.AxonService/Publish")).toBe(false);
    expect(isWebhookPath("/webhooksx")).toBe(false);
    expect(isWebhookPath(undefined)).toBe(false);
  });
});
