import type { CommandContext } from "../context.js";
import { formatAxonJson } from "../format/axon.js";

export interface CreateOptions {
  readonly name?: string;
  readonly label?: Record<string, string>;
}

/** Prints the new id alone (so `AXON=$(axon create)` works), or the axon as JSON. */
export async function createCommand(context: CommandContext, options: CreateOptions): Promise<void> {
  const axon = await context.client.axons.create({ name: options.name, labels: options.label });
  if (context.json) {
    await context.out.line(formatAxonJson(axon));
    return;
  }
  await context.out.line(context.colors.bold(axon.id));
  if (context.io.stderr.isTTY) {
    const c = context.errColors;
    await context.note(
      c.dim(
        `created axon${axon.name ? ` "${axon.name}"` : ""} — publish with: axon publish ${axon.id} --type user.message '{"content":"hi"}'`,
      ),
    );
  }
}
