import { systemClock, systemRng } from "@openaxon/core";
import { ServerMetrics } from "@openaxon/server";
import { KvLogStore, MemoryBackend, Origin } from "@openaxon/store";
import { pino } from "pino";
import { expect, test } from "vitest";
import { countingTurnOutcomes } from "./turn-outcomes.js";

const ended = (turn: number, stopReason: string) => ({
  origin: Origin.System,
  source: "broker",
  eventType: "turn.completed",
  payload: JSON.stringify({ turn_id: `turn_${turn}`, stop_reason: stopReason }),
});

test("counts each turn's end once, by outcome and stop reason; a duplicate append counts nothing", async () => {
  const metrics = new ServerMetrics();
  const inner = new KvLogStore({ backend: new MemoryBackend(), clock: systemClock, rng: systemRng });
  const store = countingTurnOutcomes(inner, metrics, pino({ level: "silent" }));
  const { id } = await store.createAxon({ name: "a", labels: {} });
  await store.append(id, [ended(1, "end_turn")], { idempotencyKey: "ended-1" });
  await store.append(id, [ended(1, "end_turn")], { idempotencyKey: "ended-1" }); // a retried end
  await store.append(id, [ended(2, "cancelled"), ended(3, "end_turn")]);
  await store.append(id, [{ ...ended(4, "end_turn"), origin: Origin.User }]); // not the broker's
  const values = (await metrics.turns.get()).values.map((v) => [
    v.labels.outcome,
    v.labels.stop_reason,
    v.value,
  ]);
  expect(values).toEqual([
    ["completed", "end_turn", 2],
    ["cancelled", "cancelled", 1],
  ]);
  // Everything else is the store's own.
  expect((await store.getAxon(id))?.headSequence).toBe(4);
  await store.close();
});
