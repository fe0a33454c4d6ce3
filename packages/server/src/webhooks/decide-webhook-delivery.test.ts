import { MAX_NAME_LENGTH } from "@openaxon/gateway/registry";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { MAX_IDEMPOTENCY_KEY_LENGTH } from "../validate-publish.js";
import {
  decideWebhookDelivery,
  MAX_DELIVERY_ID_LENGTH,
  type WebhookRequest,
} from "./decide-webhook-delivery.js";
import { genericSignature, githubSignature, slackSignature } from "./signing.test-support.js";
import type { WebhookProviderName, WebhookRecord } from "./webhook-record.js";

const SECRET = "whsec-test-1234567890";
const NOW = 1_780_000_000_000;
const hook = (provider: WebhookProviderName, name = "ci"): WebhookRecord => ({
  id: "wh_1",
  axonId: "ax_1",
  name,
  provider,
  secretName: "hook-secret",
  createdAtMs: 0,
});

function github(body: string, headers: Record<string, string | undefined> = {}): WebhookRequest {
  return {
    body: Buffer.from(body),
    headers: {
      "x-hub-signature-256": githubSignature(SECRET, body),
      "x-github-event": "pull_request",
      "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
      ...headers,
    },
  };
}

function slack(body: string, timestamp = String(NOW / 1000)): WebhookRequest {
  return {
    body: Buffer.from(body),
    headers: {
      "x-slack-request-timestamp": timestamp,
      "x-slack-signature": slackSignature(SECRET, timestamp, body),
    },
  };
}

describe("decideWebhookDelivery", () => {
  test("GitHub: github.<event>, the body as is, keyed by the delivery id", () => {
    const body = '{"action":"opened","number":7}';
    expect(decideWebhookDelivery(github(body), hook("github"), SECRET, NOW)).toEqual({
      kind: "publish",
      eventType: "github.pull_request",
      payload: body,
      idempotencyKey: "webhook:ci:72d3162e-cc78-11e3-81ab-4c9367dc0958",
    });
  });

  test("no secret (deleted) fails closed with 401 whatever the request", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<WebhookProviderName>("github", "slack", "generic_hmac_sha256"),
        (provider) => {
          const decision = decideWebhookDelivery(github("{}"), hook(provider), undefined, NOW);
          expect(decision).toMatchObject({ kind: "refuse", status: 401 });
        },
      ),
    );
  });

  test("the signature is checked before the body: a bad signature on non-JSON is 401, not 400", () => {
    const request = github("not json", { "x-hub-signature-256": githubSignature("other", "not json") });
    expect(decideWebhookDelivery(request, hook("github"), SECRET, NOW)).toMatchObject({ status: 401 });
    expect(decideWebhookDelivery(github("not json"), hook("github"), SECRET, NOW)).toMatchObject({
      kind: "refuse",
      status: 400,
    });
  });

  test("GitHub: missing event or delivery headers, odd event names and odd delivery ids are 400", () => {
    const refused = (headers: Record<string, string | undefined>) =>
      decideWebhookDelivery(github("{}", headers), hook("github"), SECRET, NOW);
    expect(refused({ "x-github-event": undefined })).toMatchObject({ status: 400 });
    expect(refused({ "x-github-delivery": undefined })).toMatchObject({ status: 400 });
    expect(refused({ "x-github-event": "pull request" })).toMatchObject({ status: 400 });
    expect(refused({ "x-github-delivery": "x".repeat(MAX_DELIVERY_ID_LENGTH + 1) })).toMatchObject({
      status: 400,
    });
  });

  test("every idempotency key it makes fits the store's limit, whatever the name and delivery id", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: MAX_NAME_LENGTH }),
        fc.integer({ min: 1, max: MAX_DELIVERY_ID_LENGTH + 20 }),
        (nameLength, idLength) => {
          const request = github("{}", { "x-github-delivery": "d".repeat(idLength) });
          const decision = decideWebhookDelivery(
            request,
            hook("github", "n".repeat(nameLength)),
            SECRET,
            NOW,
          );
          if (idLength > MAX_DELIVERY_ID_LENGTH) expect(decision).toMatchObject({ status: 400 });
          else if (decision.kind !== "publish") throw new Error(`expected a publish, got ${decision.kind}`);
          else expect(decision.idempotencyKey!.length).toBeLessThanOrEqual(MAX_IDEMPOTENCY_KEY_LENGTH);
        },
      ),
    );
  });

  test("Slack: url_verification is answered, not published", () => {
    const body =
      '{"token":"t","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}';
    expect(decideWebhookDelivery(slack(body), hook("slack"), SECRET, NOW)).toEqual({
      kind: "answer",
      body: { challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" },
    });
  });

  test("Slack: an event callback becomes slack.<event type>, keyed by event_id", () => {
    const body =
      '{"type":"event_callback","event_id":"Ev0PV52K21","event":{"type":"app_mention","text":"hi"}}';
    expect(decideWebhookDelivery(slack(body), hook("slack", "team"), SECRET, NOW)).toEqual({
      kind: "publish",
      eventType: "slack.app_mention",
      payload: body,
      idempotencyKey: "webhook:team:Ev0PV52K21",
    });
    expect(
      decideWebhookDelivery(slack('{"type":"app_rate_limited"}'), hook("slack"), SECRET, NOW),
    ).toMatchObject({
      eventType: "slack.app_rate_limited",
      idempotencyKey: expect.stringMatching(/^webhook:ci:\d+:[0-9a-f]{64}$/),
    });
    expect(decideWebhookDelivery(slack("[1]"), hook("slack"), SECRET, NOW)).toMatchObject({ status: 400 });
  });

  test("Slack: a correctly signed stale timestamp is 401", () => {
    const stale = slack('{"type":"event_callback"}', String(NOW / 1000 - 301));
    expect(decideWebhookDelivery(stale, hook("slack"), SECRET, NOW)).toMatchObject({
      kind: "refuse",
      status: 401,
      reason: expect.stringContaining("5 minutes"),
    });
  });

  test("generic: webhook.<name> or webhook.<X-Event-Type>; X-Delivery-Id optional", () => {
    const body = '{"build":"green"}';
    const signed = { "x-signature-256": genericSignature(SECRET, body) };
    expect(
      decideWebhookDelivery(
        { body: Buffer.from(body), headers: signed },
        hook("generic_hmac_sha256"),
        SECRET,
        NOW,
      ),
    ).toEqual({ kind: "publish", eventType: "webhook.ci", payload: body });
    expect(
      decideWebhookDelivery(
        {
          body: Buffer.from(body),
          headers: { ...signed, "x-event-type": "build.done", "x-delivery-id": "d-1" },
        },
        hook("generic_hmac_sha256"),
        SECRET,
        NOW,
      ),
    ).toEqual({
      kind: "publish",
      eventType: "webhook.build.done",
      payload: body,
      idempotencyKey: "webhook:ci:d-1",
    });
  });

  test("a body that is not UTF-8 is 400 once signed", () => {
    const body = Buffer.from([0x7b, 0xff, 0x7d]);
    const request = { body, headers: { "x-signature-256": genericSignature(SECRET, body) } };
    expect(decideWebhookDelivery(request, hook("generic_hmac_sha256"), SECRET, NOW)).toMatchObject({
      status: 400,
      reason: expect.stringContaining("UTF-8"),
    });
  });
});
