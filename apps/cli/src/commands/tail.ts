import { EventType, type OriginName } from "@openaxon/client";
import type { CommandContext } from "../context.js";
import { UsageError } from "../errors.js";
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
  // Custom event types are fine, so a type outside the vocabulary is only an error once the axon
  // shows none of it (below); while following, it may still come.
  const unknownTypes = (options.type ?? []).filter((type) => !KNOWN_TYPES.includes(type));
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
  let printed = 0;
  let wasLive = false;
  if (options.follow && unknownTypes.length > 0) {
    await context.note(
      c.yellow(
        `note: ${quoteList(unknownTypes)} not among OpenAxon's event types; following for custom events of that type`,
      ),
    );
  }
  try {
    const events = axon.subscribe({
      afterSequence: after,
      eventTypes: options.type,
      origins: options.origin,
      signal: done.signal,
      onCaughtUp: ({ lastSequence }) => {
        progress?.clear();
        if (options.follow && !wasLive) {
          // Replay is done: say so once, so a reader knows what follows is live.
          wasLive = true;
          void (context.json
            ? context.out.line(JSON.stringify({ live: true, lastSequence }))
            : context.note(c.dim(`— live after #${lastSequence}; waiting for new events (Ctrl-C to stop)`)));
        }
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
      printed++;
      progress?.update(event.sequence);
      await context.out.line(
        context.json ? formatEventJson(event) : formatEventLine(event, context.colors, Date.now()),
      );
    }
  } finally {
    stop.removeEventListener("abort", onStop);
    progress?.clear();
  }
  if (!options.follow && printed === 0 && unknownTypes.length > 0 && !stop.aborted) {
    const plural = unknownTypes.length > 1;
    throw new UsageError(
      `unknown event type${plural ? "s" : ""} ${unknownTypes.map((t) => `"${t}"`).join(", ")}: no event in axon ${id} has ${plural ? "them" : "it"}, and OpenAxon's own types are ${KNOWN_TYPES.join(", ")}`,
    );
  }
}

const KNOWN_TYPES: readonly string[] = Object.values(EventType);

function quoteList(types: readonly string[]): string {
  return types.map((type) => `"${type}"`).join(", ") + (types.length === 1 ? " is" : " are");
}
