import type { CommandContext } from "../context.js";
import { formatAxonJson } from "../format/axon.js";

export interface CreateOptions {
  readonly name?: string;
  readonly label?: Record<string, string>;
  readonly maxAge?: number;
  readonly maxEvents?: number;
  readonly maxBytes?: number;
}

/** Prints the new id alone (so `AXON=$(axon create)` works), or the axon as JSON. */
export async function createCommand(context: CommandContext, options: CreateOptions): Promise<void> {
  const retention = { maxAgeMs: options.maxAge, maxEvents: options.maxEvents, maxBytes: options.maxBytes };
  const axon = await context.client.axons.create({
    name: options.name,
    labels: options.label,
    ...(Object.values(retention).some((limit) => limit) && { retention }),
  });
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
