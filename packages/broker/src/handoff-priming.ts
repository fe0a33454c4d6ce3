import { EventType, type PromptContent, type SessionPrimedPayload } from "@openaxon/protocol/vocabulary";
import type { AxonLink, AxonLinkEvent } from "./axon-link.js";
import type { EventPublisher } from "./event-publisher.js";
import {
  collectTurns,
  type HandoffTranscript,
  primedPrompt,
  renderTranscript,
} from "./handoff-transcript.js";
import type { QueuedTurn } from "./turn-queue.js";

/** Reading back stops here even if the turns read so far are short: a bound on one turn's start-up. */
const MAX_EVENTS_READ = 50_000;

/**
 * The transcript of every turn in the axon but `currentTurnId` (the one being primed; turns queued
 * after it have not started, so they are not told either). Reads the axon backwards from its head a
 * page at a time and stops once the turns read would already fill the budget (or at the axon's
 * start), so the cost follows the budget, not the axon's length.
 */
export async function readHandoffTranscript(
  link: AxonLink,
  axonId: string,
  currentTurnId: string,
  budgetChars: number,
  pageSize = 256,
): Promise<HandoffTranscript> {
  const newestFirst: AxonLinkEvent[] = [];
  const earlier = (events: readonly AxonLinkEvent[]) =>
    collectTurns(events).filter((t) => t.turnId !== currentTurnId);
  // 0 reads from the head; from there on, below the oldest event read.
  let after = 0;
  let historyComplete = false;
  while (newestFirst.length < MAX_EVENTS_READ) {
    const page = await link.read(axonId, { afterSequence: after, limit: pageSize, descending: true });
    newestFirst.push(...page);
    if (page.length < pageSize) {
      historyComplete = true;
      break;
    }
    after = page[page.length - 1]!.sequence;
    if (after <= 1) {
      historyComplete = true;
      break;
    }
    const turns = earlier([...newestFirst].reverse());
    // Enough once the turns read, told in full, are longer than the budget (the oldest turn read
    // may be missing its prompt and is then not told, hence "more than").
    const told = renderTranscript(turns, { budgetChars: Number.MAX_SAFE_INTEGER, historyComplete: true });
    if (told.text.length > budgetChars) break;
  }
  return renderTranscript(earlier(newestFirst.reverse()), { budgetChars, historyComplete });
}

export interface TurnPrimer {
  readonly link: AxonLink;
  readonly axonId: string;
  readonly publisher: EventPublisher;
  readonly budgetChars: number;
}

/**
 * The prompt of the first turn after a hand-off: the transcript of the earlier turns, then the
 * turn's own content. Records `session.primed` (also when there was nothing to tell), which is what
 * ends the pending priming for a later recovery.
 */
export async function primeTurn(
  primer: TurnPrimer,
  turn: QueuedTurn,
  content: PromptContent,
): Promise<PromptContent> {
  const transcript = await readHandoffTranscript(primer.link, primer.axonId, turn.turnId, primer.budgetChars);
  const payload: SessionPrimedPayload = {
    turn_id: turn.turnId,
    turns: transcript.turns,
    omitted_turns: transcript.omittedTurns,
    chars: transcript.text.length,
    budget_chars: primer.budgetChars,
  };
  await primer.publisher.system(EventType.SessionPrimed, payload);
  return primedPrompt(transcript.text, content);
}
