import { type Clock, isId, newId, type Rng, SerialQueue } from "@openaxon/core";
import {
  type GatewayRegistry,
  nameProblems,
  type RecordsPort,
  RegistryAlreadyExistsError,
  RegistryNotFoundError,
  RegistryValidationError,
} from "@openaxon/gateway/registry";
import type { LogStore } from "@openaxon/store";
import type { WebhookProviderName, WebhookRecord } from "./webhook-record.js";

export const WEBHOOK_RECORD_KIND = "webhook";
export const WEBHOOK_ID_PREFIX = "wh";
const PROVIDERS: readonly WebhookProviderName[] = ["github", "slack", "generic_hmac_sha256"];

export interface CreateWebhookInput {
  readonly axonId: string;
  readonly name: string;
  /** Undefined when the caller named no (or an unknown) provider. */
  readonly provider: WebhookProviderName | undefined;
  readonly secretName: string;
}

export interface WebhookRegistryOptions {
  /** Where webhooks are kept (`recordsFromStore(store)`): shared records, so a cluster sees them all. */
  readonly records: RecordsPort;
  /** The secrets webhooks name; values leave it only through `signingSecret`. */
  readonly secrets: Pick<GatewayRegistry, "getSecret" | "resolveSecretValue">;
  readonly axons: Pick<LogStore, "getAxon">;
  readonly clock: Clock;
  readonly rng: Rng;
}

/**
 * Webhooks: validated, stored as records, found by id or by (axon, name) for a delivery. Throws
 * the gateway registry's errors, so the server maps them to the same status codes.
 */
export class WebhookRegistry {
  readonly #options: WebhookRegistryOptions;
  readonly #queue = new SerialQueue();

  constructor(options: WebhookRegistryOptions) {
    this.#options = options;
  }

  create(input: CreateWebhookInput): Promise<WebhookRecord> {
    const problems: string[] = [];
    if (input.axonId === "") problems.push("axon_id is required");
    problems.push(...nameProblems(input.name));
    if (input.provider === undefined || !PROVIDERS.includes(input.provider)) {
      problems.push(
        "provider is required: WEBHOOK_PROVIDER_GITHUB, WEBHOOK_PROVIDER_SLACK or WEBHOOK_PROVIDER_GENERIC_HMAC_SHA256",
      );
    }
    if (input.secretName === "") problems.push("secret_name is required (a secret's name or id)");
    if (problems.length > 0) return Promise.reject(new RegistryValidationError(problems));
    const { records, secrets, axons, clock, rng } = this.#options;
    return this.#queue.run(async () => {
      if (!(await axons.getAxon(input.axonId))) {
        throw new RegistryNotFoundError(`axon ${JSON.stringify(input.axonId)} not found`);
      }
      await secrets.getSecret(input.secretName); // NOT_FOUND names the secret
      const taken = await this.find(input.axonId, input.name);
      if (taken) {
        throw new RegistryAlreadyExistsError(
          `axon ${input.axonId} already has a webhook named ${JSON.stringify(input.name)} (${taken.id})`,
        );
      }
      const webhook: WebhookRecord = {
        id: newId(WEBHOOK_ID_PREFIX, clock, rng),
        axonId: input.axonId,
        name: input.name,
        provider: input.provider!,
        secretName: input.secretName,
        createdAtMs: clock.now(),
      };
      await records.put(WEBHOOK_RECORD_KIND, webhook.id, webhook);
      return webhook;
    });
  }

  async get(id: string): Promise<WebhookRecord> {
    if (!isId(WEBHOOK_ID_PREFIX, id)) {
      throw new RegistryValidationError([`id ${JSON.stringify(id.slice(0, 64))} is not a webhook id (wh_…)`]);
    }
    const found = await this.#options.records.get<WebhookRecord>(WEBHOOK_RECORD_KIND, id);
    if (!found) throw new RegistryNotFoundError(`webhook ${id} not found`);
    return found;
  }

  /** In id order; only `axonId`'s when given. */
  async list(axonId?: string): Promise<WebhookRecord[]> {
    const all = await this.#options.records.list<WebhookRecord>(WEBHOOK_RECORD_KIND);
    return axonId ? all.filter((webhook) => webhook.axonId === axonId) : all;
  }

  delete(id: string): Promise<WebhookRecord> {
    return this.#queue.run(async () => {
      const webhook = await this.get(id);
      await this.#options.records.delete(WEBHOOK_RECORD_KIND, webhook.id);
      return webhook;
    });
  }

  /** The webhook a delivery to `/webhooks/<axonId>/<name>` is for. */
  async find(axonId: string, name: string): Promise<WebhookRecord | undefined> {
    return (await this.list(axonId)).find((webhook) => webhook.name === name);
  }

  /**
   * The webhook's signing secret, or undefined when that secret no longer exists (deliveries then
   * fail closed). Internal: for verifying deliveries only, never for a response or a log line.
   */
  async signingSecret(webhook: WebhookRecord): Promise<string | undefined> {
    try {
      return await this.#options.secrets.resolveSecretValue(webhook.secretName);
    } catch (error) {
      if (error instanceof RegistryNotFoundError) return undefined;
      throw error;
    }
  }
}
