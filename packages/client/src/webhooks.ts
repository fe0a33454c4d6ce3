import type { Client } from "@connectrpc/connect";
import { type Webhook as WebhookMessage, WebhookProvider, type WebhookService } from "@openaxon/protocol";
import { toSafeNumber } from "./convert.js";
import type { CallOptions } from "./types.js";

/** Who signs a webhook's deliveries. */
export type WebhookProviderName = "github" | "slack" | "generic-hmac-sha256";

/** A webhook: `POST <server>/webhooks/<axonId>/<name>` publishes each verified delivery to the axon. */
export interface Webhook {
  readonly id: string;
  readonly axonId: string;
  readonly name: string;
  readonly provider: WebhookProviderName;
  /** The SecretService secret holding the signing secret (never its value). */
  readonly secretName: string;
  readonly createdAtMs: number;
}

export interface CreateWebhookInput {
  readonly axonId: string;
  /** The endpoint's last path segment; unique per axon. */
  readonly name: string;
  readonly provider: WebhookProviderName;
  /** A secret's name or id (create it first with `client.secrets.create`). */
  readonly secret: string;
}

/** `client.webhooks`. */
export interface Webhooks {
  create(input: CreateWebhookInput, options?: CallOptions): Promise<Webhook>;
  get(id: string, options?: CallOptions): Promise<Webhook>;
  /** All webhooks, or one axon's. */
  list(axonId?: string, options?: CallOptions): Promise<Webhook[]>;
  delete(id: string, options?: CallOptions): Promise<void>;
}

const PROVIDERS: Readonly<Record<WebhookProviderName, WebhookProvider>> = {
  github: WebhookProvider.GITHUB,
  slack: WebhookProvider.SLACK,
  "generic-hmac-sha256": WebhookProvider.GENERIC_HMAC_SHA256,
};

function toWebhook(message: WebhookMessage | undefined): Webhook {
  if (!message) throw new TypeError("server response is missing the webhook");
  const provider = (Object.keys(PROVIDERS) as WebhookProviderName[]).find(
    (name) => PROVIDERS[name] === message.provider,
  );
  if (!provider) throw new TypeError(`unknown webhook provider ${message.provider} in the server's response`);
  return {
    id: message.id,
    axonId: message.axonId,
    name: message.name,
    provider,
    secretName: message.secretName,
    createdAtMs: toSafeNumber(message.createdAtMs, "created_at_ms"),
  };
}

export function createWebhooks(rpc: Client<typeof WebhookService>): Webhooks {
  return {
    async create(input, options) {
      const response = await rpc.createWebhook(
        {
          axonId: input.axonId,
          name: input.name,
          // An unknown name goes out as UNSPECIFIED, which the server refuses with the valid ones.
          provider: PROVIDERS[input.provider] ?? WebhookProvider.UNSPECIFIED,
          secretName: input.secret,
        },
        options,
      );
      return toWebhook(response.webhook);
    },
    async get(id, options) {
      return toWebhook((await rpc.getWebhook({ id }, options)).webhook);
    },
    async list(axonId, options) {
      return (await rpc.listWebhooks({ axonId: axonId ?? "" }, options)).webhooks.map(toWebhook);
    },
    async delete(id, options) {
      await rpc.deleteWebhook({ id }, options);
    },
  };
}
