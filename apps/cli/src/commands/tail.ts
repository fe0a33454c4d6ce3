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
  // Where the current reconnect resumes from; undefined while connected.
  let resumedAfter: number | undefined;
  try {
    const events = axon.subscribe({
      afterSequence: after,
      eventTypes: options.type,
      origins: options.origin,
      signal: done.signal,
      onCaughtUp: ({ lastSequence }) => {
        progress?.clear();
        if (resumedAfter !== undefined) {
          void context.note(c.green(`reconnected; resumed after #${resumedAfter}, live at #${lastSequence}`));
        }
        resumedAfter = undefined;
        if (!options.follow) done.abort();
      },
      onReconnect: ({ attempt, delayMs, error, afterSequence }) => {
        progress?.clear();
        resumedAfter = afterSequence;
        // The first failure and every fifth retry are worth a line; each one would be noise.
        if (attempt === 1 || attempt % 5 === 0) {
          const next = `${(delayMs / 1000).toFixed(1)}s`;
          void context.note(
            c.yellow(
              attempt === 1
                ? `connection lost (${error.rawMessage}); reconnecting…`
                : `still reconnecting (attempt ${attempt}, next in ${next}): ${error.rawMessage}`,
            ),
          );
        }
      },
      // --follow retries forever (the SDK default: backoff doubling from 250 ms, capped at 10 s);
      // without it a dead server should end the command, not hang it.
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
