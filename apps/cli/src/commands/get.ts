import type { CommandContext } from "../context.js";
import { formatAxonDetails, formatAxonJson } from "../format/axon.js";

export async function getCommand(context: CommandContext, id: string): Promise<void> {
  const axon = await context.client.axons.get(id);
  const lines = context.json ? [formatAxonJson(axon)] : formatAxonDetails(axon, context.colors);
  for (const line of lines) await context.out.line(line);
}
