import type { WebhookProviderName } from "@openaxon/client";
import { type Command, Option } from "commander";
import type { ActionFactory } from "../action.js";
import {
  type WebhookCreateOptions,
  webhookCreateCommand,
  webhookDeleteCommand,
  webhookListCommand,
} from "../commands/webhook.js";

const service = "WebhookService";
const PROVIDERS: readonly WebhookProviderName[] = ["github", "slack", "generic-hmac-sha256"];

/** `axon webhook create|list|delete`. */
export function registerWebhookCommands(program: Command, action: ActionFactory): void {
  const webhook = program
    .command("webhook")
    .description(
      "signed webhooks: POST /webhooks/AXON/NAME publishes verified deliveries as EXTERNAL events",
    );

  webhook
    .command("create")
    .description("accept deliveries at /webhooks/AXON/NAME signed with a stored secret; prints its id")
    .argument("<axon>", "axon id")
    .argument("<name>", "the URL's last segment, unique per axon, e.g. github")
    .addOption(
      new Option("--provider <provider>", "who signs the deliveries")
        .choices(PROVIDERS)
        .makeOptionMandatory(),
    )
    .requiredOption("--secret <name>", "the secret (axon secret create) holding the signing secret")
    .action(
      action(
        (context, axonId: string, name: string, options: WebhookCreateOptions) =>
          webhookCreateCommand(context, axonId, name, options),
        { service },
      ),
    );

  webhook
    .command("list")
    .description("list webhooks, all or one axon's")
    .argument("[axon]", "only this axon's")
    .action(
      action((context, axonId: string | undefined) => webhookListCommand(context, axonId), { service }),
    );

  webhook
    .command("delete")
    .description("delete a webhook (its URL answers 404 from then on)")
    .argument("<id>", "webhook id (wh_…)")
    .action(action((context, id: string) => webhookDeleteCommand(context, id), { service }));
}
