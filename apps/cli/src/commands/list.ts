import type { Axon } from "@openaxon/client";
import type { CommandContext } from "../context.js";
import { formatAxonJson, formatAxonTable } from "../format/axon.js";

export interface ListOptions {
  readonly prefix?: string;
}

export async function listCommand(context: CommandContext, options: ListOptions): Promise<void> {
  const axons = context.client.axons.list({ namePrefix: options.prefix });
  if (context.json) {
    for await (const axon of axons) await context.out.line(formatAxonJson(axon));
    return;
  }
  // The table needs every row to size its columns.
  const all: Axon[] = [];
  for await (const axon of axons) all.push(axon);
  if (all.length === 0) {
    await context.note(
      options.prefix ? `no axons named ${options.prefix}…` : "no axons yet — create one with `axon create`",
    );
    return;
  }
  for (const line of formatAxonTable(all, context.colors)) await context.out.line(line);
}
