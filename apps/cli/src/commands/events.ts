import type { CommandContext } from "../context.js";
import { formatEventJson, formatEventLine } from "../format/event.js";

export interface EventsOptions {
  readonly after?: number;
  readonly limit?: number;
  readonly desc?: boolean;
}

/**
 * Stored events: one page (the server's default size), or with `--limit n` n events, fetched over
 * as many pages as the server's page cap needs (never silently fewer). A hint on stderr says how to
 * fetch what comes next.
 */
export async function eventsCommand(
  context: CommandContext,
  id: string,
  options: EventsOptions,
): Promise<void> {
  const axon = context.client.axon(id);
  const now = Date.now();
  let afterSequence = options.after;
  let printed = 0;
  let hasMore = false;
  let last: number | undefined;
  do {
    const remaining = options.limit === undefined ? undefined : options.limit - printed;
    const page = await axon.events({ afterSequence, limit: remaining, descending: options.desc });
    for (const event of page.events) {
      await context.out.line(
        context.json ? formatEventJson(event) : formatEventLine(event, context.colors, now),
      );
    }
    printed += page.events.length;
    hasMore = page.hasMore;
    last = page.events.at(-1)?.sequence ?? last;
    afterSequence = last;
    // Without --limit, one page; with it, until n events or the end. An empty page ends it too.
    if (options.limit === undefined || page.events.length === 0) break;
  } while (hasMore && printed < (options.limit ?? 0));
  if (!context.json && hasMore && last !== undefined) {
    await context.note(
      context.errColors.dim(
        `more events ${options.desc ? "before" : "after"} #${last}: axon events ${id}${options.desc ? " --desc" : ""} --after ${last}`,
      ),
    );
  }
}
