import { type AxonEvent, describeTurnEvent, EventType, type Turn, TurnClosedError } from "@openaxon/client";
import { ChatOutput } from "../chat/chat-output.js";
import { askPermission, describeRequest, permissionHints } from "../chat/permission-prompt.js";
import { TurnRenderer } from "../chat/render-turn-event.js";
import { checkRuntimeFor } from "../chat/runtime-check.js";
import type { CommandContext } from "../context.js";
import { CliError, ExitWith, UsageError } from "../errors.js";
import { formatEventJson } from "../format/event.js";
import { describeHookEvent } from "../format/runtime.js";
import { readAll } from "../io.js";

export interface ChatOptions {
  /** `--no-check` sets it false. */
  readonly check: boolean;
  readonly verbose?: boolean;
  /** `--new-session`: the agent starts a fresh session for this message. */
  readonly newSession?: boolean;
  /** `--session ID`: the agent continues that session. */
  readonly session?: string;
}

/** The message: the words given, `-` for stdin, or stdin when it is not a terminal. */
async function messageFrom(context: CommandContext, words: readonly string[]): Promise<string> {
  const fromStdin =
    (words.length === 1 && words[0] === "-") || (words.length === 0 && !context.io.stdin.isTTY);
  const text = fromStdin ? (await readAll(context.io.stdin)).replace(/\r?\n$/, "") : words.join(" ");
  if (text.trim() === "") {
    throw new UsageError('what should the agent be told? axon chat AXON_ID "your message" (or pipe it in)');
  }
  return text;
}

const payloadOf = (event: AxonEvent): Record<string, unknown> => {
  try {
    return (event.data() ?? {}) as Record<string, unknown>;
  } catch {
    return {};
  }
};

/**
 * Sends one message to the agent on an axon and streams its reply live. Exit 0 when the turn
 * completes, 1 when it fails (the agent's error on stderr), 130 when Ctrl-C cancelled it.
 * Ctrl-C publishes `turn.cancel` and waits for the turn to end; a second Ctrl-C quits at once.
 */
export async function chatCommand(
  context: CommandContext,
  axonId: string,
  words: readonly string[],
  options: ChatOptions,
  stop: AbortSignal,
): Promise<void> {
  const content = await messageFrom(context, words);
  if (options.check) await checkRuntimeFor(context, axonId);
  if (stop.aborted) throw new ExitWith(130);

  // One output for both streams, so lines never start mid-line; the reply itself is uncoloured,
  // everything coloured goes to stderr.
  const output = new ChatOutput(context.io, context.errColors);
  const notes = output;
  const c = context.errColors;
  const interactive = context.io.stdin.isTTY === true && !context.json;
  let fatal: string | undefined;
  let turn: Turn | undefined;

  const onNotice = (event: AxonEvent) => {
    const body = payloadOf(event);
    const reason = typeof body.reason === "string" ? body.reason : "";
    switch (event.eventType) {
      case EventType.RuntimeFailed:
      case EventType.RuntimeShutdown:
        // The message cannot be answered any more; stop waiting for it.
        fatal = `runtime ${String(body.runtime_id ?? "")} ${event.eventType === EventType.RuntimeFailed ? "failed" : "shut down"}${reason ? `: ${reason}` : ""} — the message stays in the axon; it runs when a runtime serves the axon again`;
        turn?.close();
        return;
      case EventType.RuntimeSuspended:
        notes.line(
          c.yellow(`runtime suspended${reason ? ` (${reason})` : ""}; the message waits for it to resume`),
        );
        return;
      case EventType.RuntimeResumed:
      case EventType.RuntimeRunning:
        notes.line(
          c.dim(`runtime ${event.eventType.slice("runtime.".length)}${reason ? ` (${reason})` : ""}`),
        );
        return;
      case EventType.RuntimeHook: {
        // The tail goes to --verbose only: it can be long, and the event keeps it anyway.
        const { line, ok } = describeHookEvent(body);
        notes.line(ok ? c.dim(line) : c.yellow(line));
        if (options.verbose && typeof body.output_tail === "string" && body.output_tail !== "") {
          notes.line(c.dim(body.output_tail.trimEnd()));
        }
        return;
      }
      case "broker.error":
        notes.line(c.yellow(`broker: ${String(body.message ?? "")}`));
        return;
      case "agent.log":
        if (options.verbose) notes.line(c.dim(`agent: ${String(body.message ?? "")}`));
        return;
      default:
        if (options.verbose) notes.line(c.dim(`${event.eventType} ${event.payload}`));
    }
  };

  const agent = context.client.agentSession(axonId);
  if (options.newSession && options.session !== undefined) {
    throw new UsageError("give either --new-session or --session ID, not both");
  }
  // Published before the message, so the broker switches sessions right before this turn.
  if (options.newSession) await agent.newSession({ source: "cli" });
  if (options.session !== undefined) await agent.loadSession(options.session, { source: "cli" });
  turn = await agent.prompt(content, { onNotice, source: "cli" });
  const current = turn;

  let cancelled = false;
  const interrupted = new AbortController();
  const onStop = () => {
    cancelled = true;
    interrupted.abort();
    notes.line(c.yellow("cancelling the turn… (Ctrl-C again to quit without waiting)"));
    current.cancel().catch((error: unknown) => {
      notes.line(c.red(`could not cancel: ${error instanceof Error ? error.message : String(error)}`));
    });
  };
  if (stop.aborted) onStop();
  else stop.addEventListener("abort", onStop, { once: true });

  const renderer = new TurnRenderer(output);
  try {
    for await (const event of current) {
      const view = describeTurnEvent(event);
      if (context.json) {
        await context.out.line(formatEventJson(event));
        if (view.type === "permission_request") {
          await context.note(`permission requested: ${describeRequest(view)} — answer with one of:`);
          for (const hint of permissionHints(axonId, view)) await context.note(hint);
        }
        continue;
      }
      if (view.type !== "permission_request") {
        renderer.render(view);
        continue;
      }
      if (!interactive || cancelled) {
        notes.line(
          `${c.yellow("?")} permission requested: ${c.bold(describeRequest(view))} — answer with one of:`,
        );
        for (const hint of permissionHints(axonId, view)) notes.line(c.dim(hint));
        continue;
      }
      const choice = await askPermission(context.io, notes, view, interrupted.signal);
      if (choice !== undefined) await current.respondToPermission(view.requestId, choice);
    }
  } catch (error) {
    if (!(error instanceof TurnClosedError && fatal)) throw error;
  } finally {
    stop.removeEventListener("abort", onStop);
    output.end();
    await context.out.flush();
  }

  if (fatal) throw new CliError(fatal);
  const result = await current.result;
  if (result.status === "failed") throw new CliError(`turn failed: ${result.error}`);
  if (cancelled) throw new ExitWith(130);
  if (result.stopReason !== "end_turn" && !context.json) {
    notes.line(c.dim(`(the turn ended: ${result.stopReason})`));
  }
}
