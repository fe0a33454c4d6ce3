import type { CommandContext } from "../context.js";
import { formatEventJson, formatEventLine } from "../format/event.js";

export interface EventsOptions {
  readonly after?: number;
  readonly limit?: number;
  readonly desc?: boolean;
}

/** One page of stored events; a hint on stderr says how to fetch the next. */
export async function eventsCommand(
  context: CommandContext,
  id: string,
  options: EventsOptions,
): Promise<void> {
  const page = await context.client
    .axon(id)
    .events({ afterSequence: options.after, limit: options.limit, descending: options.desc });
  const now = Date.now();
  for (const event of page.events) {
    await context.out.line(
      context.json ? formatEventJson(event) : formatEventLine(event, context.colors, now),
    );
  }
  const last = page.events.at(-1);
  if (!context.json && page.hasMore && last) {
    await context.note(
      context.errColors.dim(
        `more events ${options.desc ? "before" : "after"} #${last.sequence}: axon events ${id}${options.desc ? " --desc" : ""} --after ${last.sequence}`,
      ),
    );
  }
}
