import { expect } from "vitest";

/** Checks the log-level invariants of turns: started in trigger order, never overlapping, each ended once. */
export function checkTurnLog(
  events: readonly { type: string; payload: Record<string, unknown> }[],
  triggers: number[],
) {
  const started: number[] = [];
  const ended = new Map<string, number>();
  let open: string | undefined;
  for (const e of events) {
    const turnId = e.payload.turn_id as string | undefined;
    if (e.type === "turn.started") {
      expect(open, `turn ${turnId} started while ${open} was running`).toBeUndefined();
      open = turnId;
      started.push(e.payload.trigger_sequence as number);
    } else if (e.type === "turn.completed" || e.type === "turn.failed") {
      ended.set(turnId!, (ended.get(turnId!) ?? 0) + 1);
      if (turnId === open) open = undefined;
    } else if (e.type.startsWith("turn.") && e.type !== "turn.cancel") {
      expect(turnId, `${e.type} outside its turn`).toBe(open);
    }
  }
  expect(started).toEqual([...started].sort((a, b) => a - b));
  expect(new Set(started).size).toBe(started.length);
  for (const t of triggers) expect(ended.get(`turn_${t}`), `turn_${t} ends exactly once`).toBe(1);
  expect(ended.size).toBe(triggers.length);
}
