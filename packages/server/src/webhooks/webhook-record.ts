/** Who signs a webhook's deliveries (the proto's WebhookProvider, as stored). */
export type WebhookProviderName = "github" | "slack" | "generic_hmac_sha256";

/** A webhook as stored in the record store (kind `webhook`). Names a secret, never holds one. */
export interface WebhookRecord {
  readonly id: string;
  readonly axonId: string;
  /** The endpoint's last path segment, unique per axon. */
  readonly name: string;
  readonly provider: WebhookProviderName;
  /** A SecretService secret's name or id, as given at creation. */
  readonly secretName: string;
  readonly createdAtMs: number;
}
