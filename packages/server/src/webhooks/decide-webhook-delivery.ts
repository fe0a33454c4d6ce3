import { EVENT_TYPE_CHARSET, MAX_EVENT_TYPE_LENGTH } from "../validate-publish.js";
import { verifyGithubSignature } from "./verify-github-signature.js";
import { verifyHmacSignature } from "./verify-hmac-signature.js";
import { verifySlackSignature } from "./verify-slack-signature.js";
import type { WebhookRecord } from "./webhook-record.js";

/** A delivery as received: header names in lower case (as Node gives them), the raw body. */
export interface WebhookRequest {
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Uint8Array;
}

/**
 * Longest delivery id taken (GitHub's are 36 characters, Slack's event ids ~11): with the prefix
 * and a webhook name of up to 128 characters the key stays within MAX_IDEMPOTENCY_KEY_LENGTH.
 */
export const MAX_DELIVERY_ID_LENGTH = 100;

export type WebhookDelivery =
  /** Publish one EXTERNAL event; `idempotencyKey` makes a redelivery a duplicate. */
  | {
      readonly kind: "publish";
      readonly eventType: string;
      /** The body, exactly as received (valid JSON text). */
      readonly payload: string;
      readonly idempotencyKey?: string;
    }
  /** Answer without publishing (Slack's url_verification). */
  | { readonly kind: "answer"; readonly body: Readonly<Record<string, string>> }
  /**
   * Refuse: 401 when the delivery is not proven to come from the secret's holder (audited),
   * 400 when it is signed but unusable.
   */
  | { readonly kind: "refuse"; readonly status: 400 | 401; readonly reason: string };

/**
 * What to do with one delivery to `webhook`, given its signing secret (undefined when the secret
 * no longer exists: fail closed) and the time. The signature is checked before anything in the
 * body is looked at, so an unsigned sender learns only "401".
 */
export function decideWebhookDelivery(
  request: WebhookRequest,
  webhook: WebhookRecord,
  secret: string | undefined,
  nowMs: number,
): WebhookDelivery {
  if (secret === undefined) {
    return refuse(401, `the webhook's secret ${JSON.stringify(webhook.secretName)} does not exist`);
  }
  const { headers, body } = request;
  switch (webhook.provider) {
    case "github": {
      if (!verifyGithubSignature(secret, body, headers["x-hub-signature-256"])) {
        return refuse(401, "X-Hub-Signature-256 is missing or does not match the body");
      }
      const json = parseJsonBody(body);
      if ("problem" in json) return refuse(400, json.problem);
      const event = headers["x-github-event"];
      if (event === undefined) return refuse(400, "X-GitHub-Event is required");
      const delivery = headers["x-github-delivery"];
      if (delivery === undefined) return refuse(400, "X-GitHub-Delivery is required");
      return publish(webhook, `github.${event}`, json.text, delivery);
    }
    case "slack": {
      const timestamp = headers["x-slack-request-timestamp"];
      const signature = headers["x-slack-signature"];
      const verdict = verifySlackSignature(secret, body, { signature, timestamp }, nowMs);
      if (verdict === "bad-signature") {
        return refuse(401, "X-Slack-Signature is missing or does not match the timestamp and body");
      }
      if (verdict === "stale-timestamp") {
        return refuse(401, "X-Slack-Request-Timestamp is more than 5 minutes from the server's clock");
      }
      const json = parseJsonBody(body);
      if ("problem" in json) return refuse(400, json.problem);
      const fields: { type?: unknown; challenge?: unknown; event_id?: unknown; event?: unknown } =
        typeof json.value === "object" && json.value !== null ? json.value : {};
      if (fields.type === "url_verification" && typeof fields.challenge === "string") {
        return { kind: "answer", body: { challenge: fields.challenge } };
      }
      const innerType = (fields.event as { type?: unknown } | null | undefined)?.type;
      const type =
        fields.type === "event_callback" && typeof innerType === "string" ? innerType : fields.type;
      if (typeof type !== "string") return refuse(400, 'the body has no "type"');
      // Slack resends an event with the same event_id; other payloads are keyed by what was signed.
      const delivery =
        typeof fields.event_id === "string" ? fields.event_id : `${timestamp}:${signature!.slice(3)}`;
      return publish(webhook, `slack.${type}`, json.text, delivery);
    }
    case "generic_hmac_sha256": {
      const signature = headers["x-signature-256"];
      const timestamp = headers["x-signature-timestamp"];
      const verdict = verifyHmacSignature(secret, body, { signature, timestamp }, nowMs);
      if (verdict === "bad-signature") {
        return refuse(401, "X-Signature-256 is missing or does not match the body");
      }
      if (verdict === "stale-timestamp") {
        return refuse(401, "X-Signature-Timestamp is more than 5 minutes from the server's clock");
      }
      const json = parseJsonBody(body);
      if ("problem" in json) return refuse(400, json.problem);
      const type = headers["x-event-type"] ?? webhook.name;
      return publish(webhook, `webhook.${type}`, json.text, headers["x-delivery-id"]);
    }
  }
}

function publish(
  webhook: WebhookRecord,
  eventType: string,
  payload: string,
  deliveryId: string | undefined,
): WebhookDelivery {
  if (eventType.length > MAX_EVENT_TYPE_LENGTH || !EVENT_TYPE_CHARSET.test(eventType)) {
    return refuse(
      400,
      `event type ${JSON.stringify(eventType.slice(0, 64))} may only contain letters, digits and . _ : / - (at most ${MAX_EVENT_TYPE_LENGTH})`,
    );
  }
  if (deliveryId === undefined) return { kind: "publish", eventType, payload };
  if (
    deliveryId === "" ||
    deliveryId.length > MAX_DELIVERY_ID_LENGTH ||
    /[^\u0021-\u007e]/.test(deliveryId)
  ) {
    return refuse(400, `the delivery id must be 1-${MAX_DELIVERY_ID_LENGTH} printable ASCII characters`);
  }
  // Keys are per axon: the hook's name keeps two hooks' delivery ids apart.
  return { kind: "publish", eventType, payload, idempotencyKey: `webhook:${webhook.name}:${deliveryId}` };
}

function parseJsonBody(body: Uint8Array): { text: string; value: unknown } | { problem: string } {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(body);
  } catch {
    return { problem: "the body is not UTF-8; send application/json" };
  }
  try {
    return { text, value: JSON.parse(text) };
  } catch {
    return {
      problem:
        "the body is not JSON; configure the sender to post application/json (form-encoded bodies are not accepted)",
    };
  }
}

function refuse(status: 400 | 401, reason: string): WebhookDelivery {
  return { kind: "refuse", status, reason };
}
