import type { CommandContext } from "../context.js";
import { formatSecretTable } from "../format/gateway.js";
import { readSecretValue } from "../secret-value.js";

export interface SecretCreateOptions {
  readonly fromEnv?: string;
}

/** Prints the new secret's id (or its metadata as JSON). The value is never printed. */
export async function secretCreateCommand(
  context: CommandContext,
  name: string,
  options: SecretCreateOptions,
): Promise<void> {
  const value = await readSecretValue(context.io, name, options.fromEnv);
  const secret = await context.client.secrets.create({ name, value });
  await context.out.line(context.json ? JSON.stringify(secret) : context.colors.bold(secret.id));
  if (!context.json && context.io.stderr.isTTY) {
    await context.note(
      context.errColors.dim(
        `stored secret "${secret.name}" — bind it with: axon runtime create … --gateway PREFIX=GATEWAY:${secret.name}`,
      ),
    );
  }
}

export async function secretListCommand(context: CommandContext): Promise<void> {
  const secrets = await context.client.secrets.list();
  if (context.json) {
    for (const secret of secrets) await context.out.line(JSON.stringify(secret));
    return;
  }
  if (secrets.length === 0) {
    await context.note(
      "no secrets yet — create one with `axon secret create NAME` (the value is read from stdin)",
    );
    return;
  }
  for (const line of formatSecretTable(secrets, context.colors)) await context.out.line(line);
}

export async function secretDeleteCommand(context: CommandContext, id: string): Promise<void> {
  await context.client.secrets.delete(id);
  await context.out.line(context.json ? JSON.stringify({ id, deleted: true }) : `deleted secret ${id}`);
}
