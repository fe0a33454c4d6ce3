import type { Event as ProtoEvent } from "@openaxon/protocol";
import type { KvOp } from "@openaxon/store";
import { decodeDiskValue } from "./log-oracle.js";

/** A disk write as a trace reads it: `a1#7 turn.started`, `a1#8..9 note`, `key k-p3`, `record runtime`. */
export function describeOp(op: KvOp, nameOf: (axonId: string) => string): string {
  const [kind, first, ...rest] = op.key.split("!");
  if (kind === "e") {
    const seq = Number.parseInt(rest.join("!"), 16);
    const events = op.type === "put" ? decodeDiskValue(op.value, seq) : [];
    const last = events.length > 1 ? `..${seq + events.length - 1}` : "";
    const types = [...new Set(events.map((e) => e.eventType))].join("+");
    return `${nameOf(first ?? "")}#${seq}${last}${types ? ` ${types}` : ""}`;
  }
  if (kind === "i") return `key ${rest.join("!")}`;
  if (kind === "a") return `axon ${nameOf(first ?? "")}`;
  if (kind === "r") return `record ${first}`;
  return op.key;
}

/** A Subscribe frame as a trace reads it: `axon=a1 seq=7..9`, `caught_up head=9`, … */
export function describeFrame(frame: unknown, nameOf: (axonId: string) => string): string {
  const { kind } = frame as { kind: { case: string; value: Record<string, unknown> } };
  switch (kind.case) {
    case "events": {
      const events = kind.value.events as ProtoEvent[];
      const first = events[0]!;
      const last = events[events.length - 1]!;
      const seqs = first === last ? `seq=${first.sequence}` : `seq=${first.sequence}..${last.sequence}`;
      return `axon=${nameOf(first.axonId)} ${seqs}`;
    }
    case "caughtUp":
      return `caught_up head=${kind.value.headSequence}`;
    case "heartbeat":
      return `heartbeat head=${kind.value.headSequence}`;
    case "fellBehind":
      return `fell_behind last=${kind.value.lastSequence} head=${kind.value.headSequence}`;
    default:
      return String(kind.case);
  }
}
