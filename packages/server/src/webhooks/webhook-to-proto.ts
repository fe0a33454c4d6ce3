import { type Webhook, WebhookProvider } from "@openaxon/protocol";
import type { WebhookProviderName, WebhookRecord } from "./webhook-record.js";

const TO_PROTO: Readonly<Record<WebhookProviderName, WebhookProvider>> = {
  github: WebhookProvider.GITHUB,
  slack: WebhookProvider.SLACK,
  generic_hmac_sha256: WebhookProvider.GENERIC_HMAC_SHA256,
};

export function webhookToProto(webhook: WebhookRecord): Omit<Webhook, "$typeName"> {
  return {
    id: webhook.id,
    axonId: webhook.axonId,
    name: webhook.name,
    provider: TO_PROTO[webhook.provider],
    secretName: webhook.secretName,
    createdAtMs: BigInt(webhook.createdAtMs),
  };
}

/** Undefined for UNSPECIFIED and unknown numbers: the registry says which providers exist. */
export function providerFromProto(provider: WebhookProvider): WebhookProviderName | undefined {
  return (Object.keys(TO_PROTO) as WebhookProviderName[]).find((name) => TO_PROTO[name] === provider);
}
