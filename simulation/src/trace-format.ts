import type { Event as ProtoEvent } from "@openaxon/protocol";
import type { KvOp } from "@openaxon/store";
import { decodeDiskValue } from "./log-oracle.js";

/**
 * A disk write as a trace reads it: `a1#7 turn.started`, `a1#8..9 note`, `key k-p3`, `record runtime`,
 * `trim line a2 → 5`, `delete a2#3..` (a trimmed chunk).
 */
export function describeOp(op: KvOp, nameOf: (axonId: string) => string): string {
  const [kind, first, ...rest] = op.key.split("!");
  if (kind === "e") {
    const seq = Number.parseInt(rest.join("!"), 16);
    if (op.type === "del") return `delete ${nameOf(first ?? "")}#${seq}..`;
    const events = op.type === "put" ? decodeDiskValue(op.value, seq) : [];
    const last = events.length > 1 ? `..${seq + events.length - 1}` : "";
    const types = [...new Set(events.map((e) => e.eventType))].join("+");
    return `${nameOf(first ?? "")}#${seq}${last}${types ? ` ${types}` : ""}`;
  }
  if (kind === "t" && op.type === "put") {
    const line = JSON.parse(Buffer.from(op.value).toString("utf8")) as { firstSequence: number };
    return `trim line ${nameOf(first ?? "")} → ${line.firstSequence}`;
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
