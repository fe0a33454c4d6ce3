import type { OriginName } from "@openaxon/client";
import type { CommandContext } from "../context.js";
import { formatEventJson, formatEventLine } from "../format/event.js";
import { ReplayProgress } from "../format/progress.js";

export interface TailOptions {
  readonly after?: number;
  readonly follow?: boolean;
  readonly type?: string[];
  readonly origin?: OriginName[];
}

/**
 * Prints events after `--after` up to the head and exits, or with `--follow` keeps printing live
 * events until Ctrl-C (exit 0). A dropped connection while following reconnects and resumes
 * without repeating or skipping an event.
 */
export async function tailCommand(
  context: CommandContext,
  id: string,
  options: TailOptions,
  stop: AbortSignal,
): Promise<void> {
  const axon = context.client.axon(id);
  // Fails fast with a clear error (unreachable, not found) instead of entering the retry loop.
  const { headSequence } = await axon.get({ signal: stop });
  const after = options.after ?? 0;
  const progress = ReplayProgress.enabled(context.io, headSequence - after)
    ? new ReplayProgress(context.io.stderr, headSequence)
    : undefined;

  const done = new AbortController();
  const onStop = () => done.abort();
  stop.addEventListener("abort", onStop, { once: true });
  const c = context.errColors;
  try {
    const events = axon.subscribe({
      afterSequence: after,
      eventTypes: options.type,
      origins: options.origin,
      signal: done.signal,
      onCaughtUp: () => {
        progress?.clear();
        if (!options.follow) done.abort();
      },
      onReconnect: ({ delayMs, error }) => {
        progress?.clear();
        context.note(
          c.yellow(`connection lost (${error.rawMessage}); reconnecting in ${(delayMs / 1000).toFixed(1)}s…`),
        );
      },
      // Without --follow a dead server should end the command, not hang it.
      retry: options.follow ? undefined : { maxAttempts: 3 },
    });
    for await (const event of events) {
      progress?.update(event.sequence);
      await context.out.line(
        context.json ? formatEventJson(event) : formatEventLine(event, context.colors, Date.now()),
      );
    }
  } finally {
    stop.removeEventListener("abort", onStop);
    progress?.clear();
  }
}
