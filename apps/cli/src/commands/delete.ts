import type { CommandContext } from "../context.js";

export async function deleteCommand(context: CommandContext, id: string): Promise<void> {
  await context.client.axons.delete(id);
  await context.out.line(context.json ? JSON.stringify({ id, deleted: true }) : `deleted ${id}`);
}
