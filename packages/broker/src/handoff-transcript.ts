import {
  EventType,
  isInputOrigin,
  Origin,
  type PromptContent,
  parseJsonObject,
  parseUserMessage,
  turnIdFor,
} from "@openaxon/protocol/vocabulary";

/**
 * Hand-off priming: a new agent that cannot resume the old one's session gets the conversation so
 * far as text in front of its first prompt. Pure functions of the axon's events, so what the agent
 * is told is decided by the log alone.
 */

/** Default transcript size: big enough for a few dozen short turns, small next to any model's context. */
export const DEFAULT_HANDOFF_BUDGET_CHARS = 16_000;

/** Tool inputs and outputs are cut to this many characters each: one huge output must not crowd out the turns. */
export const TOOL_TEXT_LIMIT = 1_000;

const WRITTEN_BY_BROKER: ReadonlySet<number> = new Set([Origin.System, Origin.Agent]);

/** Turns smaller than this after cutting say nothing useful; better none at all. */
const MIN_TURN_CHARS = 80;

export interface TranscriptEvent {
  readonly sequence: number;
  readonly origin: number;
  readonly eventType: string;
  readonly payload: string;
}

type Entry =
  | { readonly kind: "text"; text: string }
  | {
      readonly kind: "tool";
      readonly id: string;
      title: string;
      toolKind: string;
      input: unknown;
      status: string;
      output: unknown;
    };

/** One earlier turn as the transcript tells it. */
export interface PastTurn {
  readonly turnId: string;
  readonly triggerSequence: number;
  readonly prompt: string;
  /** Agent text and tool calls in the order the agent produced them. */
  readonly entries: readonly Entry[];
  /** "end_turn", "cancelled", "failed: …"; undefined while it never ended. */
  readonly ending: string | undefined;
}

export interface HandoffTranscript {
  /** Empty when there is nothing to tell (or the budget is too small to tell anything). */
  readonly text: string;
  readonly turns: number;
  /** Earlier turns left out to stay within the budget (at least this many when history is incomplete). */
  readonly omittedTurns: number;
}

export interface TranscriptOptions {
  /** The transcript's length in UTF-16 code units never exceeds this. */
  readonly budgetChars: number;
  /** False when the events start after the axon's first turn (the reader stopped early): say so. */
  readonly historyComplete: boolean;
}

/**
 * The turns the events show, in trigger order: every input trigger that a broker started, with its
 * prompt, the agent's text and tool calls, and how it ended. Triggers never started (cancelled while
 * queued, or still waiting) are not part of the conversation.
 */
export function collectTurns(events: readonly TranscriptEvent[]): PastTurn[] {
  const prompts = new Map<string, { sequence: number; prompt: string }>();
  const turns = new Map<string, { started: boolean; entries: Entry[]; ending: string | undefined }>();
  const turnOf = (turnId: string) => {
    let turn = turns.get(turnId);
    if (!turn) {
      turn = { started: false, entries: [], ending: undefined };
      turns.set(turnId, turn);
    }
    return turn;
  };
  for (const event of events) {
    if (event.eventType === EventType.UserMessage && isInputOrigin(event.origin)) {
      const message = parseUserMessage(event.payload);
      prompts.set(turnIdFor(event.sequence), {
        sequence: event.sequence,
        prompt: message.ok ? promptText(message.value.content) : "(an unreadable message)",
      });
      continue;
    }
    // Only what brokers and agents wrote tells a turn; a user cannot put words in the agent's mouth.
    if (!event.eventType.startsWith("turn.") || !WRITTEN_BY_BROKER.has(event.origin)) continue;
    const body = parseJsonObject(event.payload);
    const turnId = body?.turn_id;
    if (typeof turnId !== "string" || !body) continue;
    const turn = turnOf(turnId);
    switch (event.eventType) {
      case EventType.TurnStarted:
        turn.started = true;
        break;
      case EventType.TurnMessageChunk: {
        const last = turn.entries.at(-1);
        const text = typeof body.text === "string" ? body.text : "";
        if (last?.kind === "text") last.text += text;
        else turn.entries.push({ kind: "text", text });
        break;
      }
      case EventType.TurnToolCall:
      case EventType.TurnToolCallUpdate: {
        const id = typeof body.tool_call_id === "string" ? body.tool_call_id : "";
        let tool = turn.entries.find(
          (e): e is Extract<Entry, { kind: "tool" }> => e.kind === "tool" && e.id === id,
        );
        if (!tool) {
          tool = {
            kind: "tool",
            id,
            title: "",
            toolKind: "",
            input: undefined,
            status: "",
            output: undefined,
          };
          turn.entries.push(tool);
        }
        if (typeof body.title === "string") tool.title = body.title;
        if (typeof body.kind === "string") tool.toolKind = body.kind;
        if (typeof body.status === "string") tool.status = body.status;
        if (body.input !== undefined) tool.input = body.input;
        if (body.output !== undefined) tool.output = body.output;
        break;
      }
      case EventType.TurnCompleted:
        turn.ending = typeof body.stop_reason === "string" ? body.stop_reason : "completed";
        break;
      case EventType.TurnFailed:
        turn.ending = `failed: ${typeof body.error === "string" ? body.error : "unknown error"}`;
        break;
    }
  }
  const past: PastTurn[] = [];
  for (const [turnId, { sequence, prompt }] of prompts) {
    const turn = turns.get(turnId);
    if (!turn?.started) continue;
    past.push({ turnId, triggerSequence: sequence, prompt, entries: turn.entries, ending: turn.ending });
  }
  return past.sort((a, b) => a.triggerSequence - b.triggerSequence);
}

/** One turn as text. */
export function renderTurn(turn: PastTurn): string {
  const lines = [`### ${turn.turnId}`, `User: ${turn.prompt}`];
  for (const entry of turn.entries) {
    if (entry.kind === "text") {
      if (entry.text.trim() !== "") lines.push(`Agent: ${entry.text}`);
      continue;
    }
    const head = `Tool call: ${entry.title || entry.id}${entry.toolKind ? ` [${entry.toolKind}]` : ""}`;
    lines.push(entry.input === undefined ? head : `${head} input: ${toolText(entry.input)}`);
    if (entry.status !== "" || entry.output !== undefined) {
      const result = entry.output === undefined ? "" : `: ${toolText(entry.output)}`;
      lines.push(`  → ${entry.status || "result"}${result}`);
    }
  }
  if (turn.ending !== undefined && turn.ending !== "end_turn") lines.push(`(turn ended: ${turn.ending})`);
  return `${lines.join("\n")}\n`;
}

/**
 * The transcript of `turns` within the budget: the newest turns that fit, oldest first, between a
 * header that says what this is (and that older turns were left out, when they were) and a footer.
 * If even the newest turn does not fit, its text is cut at the end to the space left.
 */
export function renderTranscript(turns: readonly PastTurn[], options: TranscriptOptions): HandoffTranscript {
  const { budgetChars: budget, historyComplete } = options;
  const rendered = turns.map(renderTurn);
  const n = rendered.length;
  const lengthWith = (k: number, body: number) =>
    header(n - k, historyComplete, budget).length + body + (k - 1) + FOOTER.length;
  // The most newest turns that fit. Not a plain "stop at the first misfit": the header shrinks
  // when nothing is left out, so the whole history can fit where all but one does not.
  let best = 0;
  let body = 0;
  for (let k = 1; k <= n; k++) {
    body += rendered[n - k]!.length;
    if (lengthWith(k, body) <= budget) best = k;
  }
  let chosen = rendered.slice(n - best);
  if (best === 0 && n > 0) {
    // Not even the newest turn fits: cut it at the end to the space left, if that says anything.
    const space = budget - lengthWith(1, 0);
    const cut = "…(cut to fit the budget)\n";
    if (space < MIN_TURN_CHARS) return { text: "", turns: 0, omittedTurns: 0 };
    chosen = [rendered[n - 1]!.slice(0, space - cut.length) + cut];
  }
  if (chosen.length === 0) return { text: "", turns: 0, omittedTurns: 0 };
  const omittedTurns = n - chosen.length;
  const text = header(omittedTurns, historyComplete, budget) + chosen.join("\n") + FOOTER;
  return { text, turns: chosen.length, omittedTurns };
}

/** `collectTurns` then `renderTranscript`: what the broker calls. */
export function handoffTranscript(
  events: readonly TranscriptEvent[],
  options: TranscriptOptions,
): HandoffTranscript {
  return renderTranscript(collectTurns(events), options);
}

/** The first prompt of a primed session: the transcript, then what the user asked now. */
export function primedPrompt(transcript: string, content: PromptContent): PromptContent {
  if (transcript === "") return content;
  if (typeof content === "string") return `${transcript}\n${content}`;
  return [{ type: "text", text: transcript }, ...content];
}

const FOOTER = "[End of the earlier conversation. The new message follows.]\n";

function header(omitted: number, historyComplete: boolean, budget: number): string {
  const left =
    omitted > 0 || !historyComplete
      ? `; ${omitted > 0 && historyComplete ? `the ${omitted} oldest turns are` : "older turns are"} left out to stay within ${budget} characters`
      : "";
  return (
    "[OpenAxon hand-off] This conversation began with another agent, whose session cannot be resumed. " +
    `Its earlier turns, oldest first${left}:\n\n`
  );
}

function promptText(content: PromptContent): string {
  if (typeof content === "string") return content;
  return content
    .map((block) => {
      if (block.type === "text") return block.text;
      if (block.type === "image") return `[image ${block.mimeType}]`;
      return `[resource ${block.uri}]`;
    })
    .join("\n");
}

function toolText(value: unknown): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  return text.length <= TOOL_TEXT_LIMIT
    ? text
    : `${text.slice(0, TOOL_TEXT_LIMIT)}…(${text.length - TOOL_TEXT_LIMIT} more characters)`;
}
