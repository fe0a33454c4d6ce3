import type { CommandContext } from "../context.js";
import { formatGatewayDetails, formatGatewayTable } from "../format/gateway.js";
import type { AuthArg } from "../parse.js";

export interface GatewayCreateOptions {
  readonly endpoint: string;
  readonly auth: AuthArg;
  readonly header?: Record<string, string>;
  readonly description?: string;
}

/** Prints the new gateway config's id (JSON: the config). */
export async function gatewayCreateCommand(
  context: CommandContext,
  name: string,
  options: GatewayCreateOptions,
): Promise<void> {
  const config = await context.client.gatewayConfigs.create({
    name,
    endpoint: options.endpoint,
    auth: options.auth,
    customHeaders: options.header,
    description: options.description,
  });
  await context.out.line(context.json ? JSON.stringify(config) : context.colors.bold(config.id));
  if (!context.json && context.io.stderr.isTTY) {
    await context.note(
      context.errColors.dim(
        `bind it to a runtime with: axon runtime create … --network-policy POLICY --gateway GWS_${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}=${name}:SECRET`,
      ),
    );
  }
}

export async function gatewayListCommand(context: CommandContext): Promise<void> {
  const configs = await context.client.gatewayConfigs.list();
  if (context.json) {
    for (const config of configs) await context.out.line(JSON.stringify(config));
    return;
  }
  if (configs.length === 0) {
    await context.note(
      "no gateways yet — create one with `axon gateway create NAME --endpoint URL --auth header:x-api-key`",
    );
    return;
  }
  for (const line of formatGatewayTable(configs, context.colors)) await context.out.line(line);
}

export async function gatewayGetCommand(context: CommandContext, id: string): Promise<void> {
  const config = await context.client.gatewayConfigs.get(id);
  const lines = context.json ? [JSON.stringify(config)] : formatGatewayDetails(config, context.colors);
  for (const line of lines) await context.out.line(line);
}

export async function gatewayDeleteCommand(context: CommandContext, id: string): Promise<void> {
  await context.client.gatewayConfigs.delete(id);
  await context.out.line(context.json ? JSON.stringify({ id, deleted: true }) : `deleted gateway ${id}`);
}
