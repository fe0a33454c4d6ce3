import type { Webhook } from "@openaxon/client";
import type { Colors } from "./colors.js";
import { formatTable } from "./table.js";
import { formatDateTime } from "./time.js";

export function formatWebhookTable(webhooks: readonly Webhook[], colors: Colors): string[] {
  return formatTable(
    ["ID", "AXON", "NAME", "PROVIDER", "SECRET", "CREATED"],
    webhooks.map((webhook) => [
      webhook.id,
      webhook.axonId,
      webhook.name,
      webhook.provider,
      webhook.secretName,
      formatDateTime(webhook.createdAtMs),
    ]),
    colors,
  );
}
