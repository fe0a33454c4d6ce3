import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Broker } from "../src/index.js";
import { axonFixture, checkTurnLog, ScriptedAgent, settle } from "../src/test-support/index.js";

const action = fc.oneof(
  { arbitrary: fc.constant({ kind: "trigger" as const }), weight: 3 },
  { arbitrary: fc.integer({ min: 1, max: 3 }).map((n) => ({ kind: "step" as const, n })), weight: 4 },
  { arbitrary: fc.constant({ kind: "settle" as const }), weight: 2 },
);

describe("turn order (property)", () => {
  it("random triggers interleaved with agent output: turns never overlap, run in trigger order, each exactly once", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(action, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 3 }),
        async (actions, chunks) => {
          const fx = await axonFixture();
          const agent = new ScriptedAgent((input) => [
            ...Array.from({ length: chunks }, (_, i) => [
              { type: "wait" as const, gate: "step" },
              { type: "message_chunk" as const, text: `${input.turnId}#${i}` },
            ]).flat(),
            { type: "wait", gate: "step" },
            { type: "completed", stopReason: "end_turn" },
          ]);
          const broker = new Broker({
            axonId: fx.axonId,
            link: fx.link,
            adapter: agent,
            clock: fx.clock,
            agent: { cwd: "/", env: {} },
          });
          await broker.start();
          const triggers: number[] = [];
          try {
            for (const a of actions) {
              if (a.kind === "trigger")
                triggers.push(await fx.publish("user.message", { content: `m${triggers.length}` }));
              else if (a.kind === "step") agent.release("step", a.n);
              else await settle(2);
            }
            agent.release("step", 1_000);
            for (const t of triggers) await fx.turnEnd(`turn_${t}`);
            expect(agent.maxActive).toBeLessThanOrEqual(1);
            expect(agent.prompts.map((p) => p.turnId)).toEqual(triggers.map((t) => `turn_${t}`));
            checkTurnLog(await fx.transcript(), triggers);
          } finally {
            await broker.stop();
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
