import type { WebhookProviderName } from "@openaxon/client";
import type { CommandContext } from "../context.js";
import { formatWebhookTable } from "../format/webhook.js";

export interface WebhookCreateOptions {
  readonly provider: WebhookProviderName;
  readonly secret: string;
}

/** Prints the new webhook's id, and on a terminal the URL to give the sender. */
export async function webhookCreateCommand(
  context: CommandContext,
  axonId: string,
  name: string,
  options: WebhookCreateOptions,
): Promise<void> {
  const webhook = await context.client.webhooks.create({
    axonId,
    name,
    provider: options.provider,
    secret: options.secret,
  });
  const url = `${context.url.replace(/\/+$/, "")}/webhooks/${webhook.axonId}/${webhook.name}`;
  await context.out.line(
    context.json ? JSON.stringify({ ...webhook, url }) : context.colors.bold(webhook.id),
  );
  if (!context.json && context.io.stderr.isTTY) {
    await context.note(
      context.errColors.dim(
        `deliveries to ${url} (signed with secret "${webhook.secretName}") become EXTERNAL events in ${webhook.axonId}`,
      ),
    );
  }
}

export async function webhookListCommand(context: CommandContext, axonId: string | undefined): Promise<void> {
  const webhooks = await context.client.webhooks.list(axonId);
  if (context.json) {
    for (const webhook of webhooks) await context.out.line(JSON.stringify(webhook));
    return;
  }
  if (webhooks.length === 0) {
    await context.note(
      "no webhooks yet — create one with `axon webhook create AXON NAME --provider github --secret SECRET`",
    );
    return;
  }
  for (const line of formatWebhookTable(webhooks, context.colors)) await context.out.line(line);
}

export async function webhookDeleteCommand(context: CommandContext, id: string): Promise<void> {
  await context.client.webhooks.delete(id);
  await context.out.line(context.json ? JSON.stringify({ id, deleted: true }) : `deleted webhook ${id}`);
}
