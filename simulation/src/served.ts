import { Code, ConnectError } from "@connectrpc/connect";
import { EventsTrimmedSchema, type Event as ProtoEvent } from "@openaxon/protocol";

/** What a server answer tells about an axon's log: events it served, or the axon's record. */
export interface Served {
  readonly events: readonly { readonly axonId: string; readonly sequence: number }[];
  readonly axon?: { readonly id: string; readonly firstSequence: number; readonly headSequence: number };
}

/**
 * Reads a Subscribe frame or a unary answer (ListEvents, GetAxon, UpdateAxon) for what it serves.
 * Anything else serves nothing the retention invariants look at.
 */
export function servedBy(message: unknown): Served {
  const m = message as {
    kind?: { case?: string; value?: { events?: ProtoEvent[] } };
    events?: ProtoEvent[];
    axon?: { id: string; firstSequence: bigint; headSequence: bigint };
  };
  const events = (m?.kind?.case === "events" ? m.kind.value?.events : m?.events) ?? [];
  const served = events.map((e) => ({ axonId: e.axonId, sequence: Number(e.sequence) }));
  if (!m?.axon) return { events: served };
  const axon = {
    id: m.axon.id,
    firstSequence: Number(m.axon.firstSequence),
    headSequence: Number(m.axon.headSequence),
  };
  return { events: served, axon };
}

/** An OUT_OF_RANGE for trimmed events, as its EventsTrimmed detail says. */
export interface Trimmed {
  readonly firstSequence: number;
  readonly requestedSequence: number;
}

/** The EventsTrimmed detail of an OUT_OF_RANGE error; undefined for any other error. */
export function trimmedBy(error: unknown): Trimmed | undefined {
  const e = ConnectError.from(error);
  if (e.code !== Code.OutOfRange) return undefined;
  const [detail] = e.findDetails(EventsTrimmedSchema);
  return (
    detail && {
      firstSequence: Number(detail.firstSequence),
      requestedSequence: Number(detail.requestedSequence),
    }
  );
}

/**
 * What is wrong with a "these events were trimmed" answer, if anything: the sequence the reader
 * needed must lie below the first available one, and that one must be no higher than the trim
 * line durable when the answer arrived (a line is applied only once durable), nor lower than the
 * line that was durable and applied when the request was sent.
 */
export function trimmedAnswerProblem(
  trimmed: Trimmed,
  lines: { readonly atSend: number; readonly atArrival: number },
): string | undefined {
  const { firstSequence: first, requestedSequence: requested } = trimmed;
  if (requested >= first) return `it names ${requested} as trimmed, yet ${first} as the first available`;
  if (first > lines.atArrival)
    return `it names ${first} as the first available, but the durable trim line is ${lines.atArrival}`;
  if (first < lines.atSend)
    return `it names ${first} as the first available, below the trim line ${lines.atSend} durable before it was asked`;
  return undefined;
}
