import type { ServiceImpl } from "@connectrpc/connect";
import type { WebhookService } from "@openaxon/protocol";
import { type Logger, pino } from "pino";
import { gatewayGuard } from "../gateway-errors.js";
import type { WebhookRegistry } from "./webhook-registry.js";
import { providerFromProto, webhookToProto } from "./webhook-to-proto.js";

export interface WebhookServiceOptions {
  readonly webhooks: WebhookRegistry;
  /** Default: silent. */
  readonly logger?: Logger;
}

/** WebhookService over the registry; its errors map as the gateway registry's do. */
export function createWebhookService(options: WebhookServiceOptions): ServiceImpl<typeof WebhookService> {
  const { webhooks } = options;
  const logger = options.logger ?? pino({ level: "silent" });
  const guarded = gatewayGuard(logger);
  return {
    createWebhook: (request) =>
      guarded("CreateWebhook", async () => {
        const webhook = await webhooks.create({
          axonId: request.axonId,
          name: request.name,
          provider: providerFromProto(request.provider),
          secretName: request.secretName,
        });
        logger.info(
          { webhook_id: webhook.id, axon_id: webhook.axonId, name: webhook.name, provider: webhook.provider },
          "webhook created",
        );
        return { webhook: webhookToProto(webhook) };
      }),
    getWebhook: (request) =>
      guarded("GetWebhook", async () => ({ webhook: webhookToProto(await webhooks.get(request.id)) })),
    listWebhooks: (request) =>
      guarded("ListWebhooks", async () => ({
        webhooks: (await webhooks.list(request.axonId || undefined)).map(webhookToProto),
      })),
    deleteWebhook: (request) =>
      guarded("DeleteWebhook", async () => {
        const webhook = await webhooks.delete(request.id);
        logger.info(
          { webhook_id: webhook.id, axon_id: webhook.axonId, name: webhook.name },
          "webhook deleted",
        );
        return {};
      }),
  };
}
