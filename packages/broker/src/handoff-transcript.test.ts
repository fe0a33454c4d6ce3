import { EventType, Origin } from "@openaxon/protocol/vocabulary";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  collectTurns,
  handoffTranscript,
  type PastTurn,
  primedPrompt,
  renderTranscript,
  TOOL_TEXT_LIMIT,
  type TranscriptEvent,
} from "./handoff-transcript.js";

/** A little axon: events in order, sequences assigned as they are added. */
function axon() {
  const events: TranscriptEvent[] = [];
  const add = (origin: number, eventType: string, payload: object) => {
    events.push({ sequence: events.length + 1, origin, eventType, payload: JSON.stringify(payload) });
    return events.length;
  };
  return {
    events,
    turn(prompt: string, answer: string, tool?: { title: string; input: unknown; output: unknown }) {
      const trigger = add(Origin.User, EventType.UserMessage, { content: prompt });
      const turn_id = `turn_${trigger}`;
      add(Origin.System, EventType.TurnStarted, { turn_id, trigger_sequence: trigger });
      if (tool) {
        add(Origin.Agent, EventType.TurnToolCall, {
          turn_id,
          tool_call_id: "t1",
          title: tool.title,
          kind: "execute",
          status: "pending",
          input: tool.input,
        });
        add(Origin.Agent, EventType.TurnToolCallUpdate, {
          turn_id,
          tool_call_id: "t1",
          status: "completed",
          output: tool.output,
        });
      }
      for (const piece of answer.match(/.{1,5}/gs) ?? []) {
        add(Origin.Agent, EventType.TurnMessageChunk, { turn_id, text: piece });
      }
      add(Origin.System, EventType.TurnCompleted, { turn_id, stop_reason: "end_turn" });
      return turn_id;
    },
    add,
  };
}

describe("collectTurns", () => {
  it("tells each started turn: prompt, tool calls with their results, the answer in one piece", () => {
    const a = axon();
    a.turn("What is in the README?", "It describes OpenAxon.", {
      title: "cat README.md",
      input: { command: "cat README.md" },
      output: "# OpenAxon",
    });
    const [turn] = collectTurns(a.events);
    expect(turn).toMatchObject({ turnId: "turn_1", prompt: "What is in the README?", ending: "end_turn" });
    expect(turn!.entries).toEqual([
      {
        kind: "tool",
        id: "t1",
        title: "cat README.md",
        toolKind: "execute",
        input: { command: "cat README.md" },
        status: "completed",
        output: "# OpenAxon",
      },
      { kind: "text", text: "It describes OpenAxon." },
    ]);
  });

  it("leaves out triggers never started, and turn events a user wrote", () => {
    const a = axon();
    a.add(Origin.User, EventType.UserMessage, { content: "cancelled while queued" });
    const id = a.turn("real", "answer");
    a.add(Origin.User, EventType.TurnMessageChunk, { turn_id: id, text: " (forged)" });
    const turns = collectTurns(a.events);
    expect(turns.map((t) => t.prompt)).toEqual(["real"]);
    expect(turns[0]!.entries).toEqual([{ kind: "text", text: "answer" }]);
  });

  it("says how a turn ended when it did not simply end", () => {
    const a = axon();
    const trigger = a.add(Origin.User, EventType.UserMessage, { content: "x" });
    a.add(Origin.System, EventType.TurnStarted, { turn_id: `turn_${trigger}`, trigger_sequence: trigger });
    a.add(Origin.System, EventType.TurnFailed, { turn_id: `turn_${trigger}`, error: "agent crashed" });
    const { text } = handoffTranscript(a.events, { budgetChars: 10_000, historyComplete: true });
    expect(text).toContain("(turn ended: failed: agent crashed)");
  });
});

describe("renderTranscript", () => {
  it("holds every turn when they fit, oldest first, and says nothing was left out", () => {
    const a = axon();
    a.turn("first question", "first answer");
    a.turn("second question", "second answer");
    const t = handoffTranscript(a.events, { budgetChars: 10_000, historyComplete: true });
    expect(t).toMatchObject({ turns: 2, omittedTurns: 0 });
    expect(t.text.indexOf("first question")).toBeLessThan(t.text.indexOf("second answer"));
    expect(t.text).not.toContain("left out");
  });

  it("drops the oldest turns first and says so", () => {
    const a = axon();
    for (let i = 0; i < 20; i++) a.turn(`question ${i} ${"q".repeat(100)}`, `answer ${i}`);
    const t = handoffTranscript(a.events, { budgetChars: 1_500, historyComplete: true });
    expect(t.text.length).toBeLessThanOrEqual(1_500);
    expect(t.turns).toBeGreaterThan(0);
    expect(t.turns + t.omittedTurns).toBe(20);
    expect(t.text).toContain(`the ${t.omittedTurns} oldest turns are left out`);
    expect(t.text).toContain("answer 19");
    expect(t.text).not.toContain("answer 0\n");
  });

  it("cuts long tool output, and a newest turn too big for the budget", () => {
    const a = axon();
    a.turn("run it", "done", { title: "big", input: {}, output: "x".repeat(5 * TOOL_TEXT_LIMIT) });
    const roomy = handoffTranscript(a.events, { budgetChars: 10_000, historyComplete: true });
    expect(roomy.text).toContain(`(${4 * TOOL_TEXT_LIMIT} more characters)`);
    const tight = handoffTranscript(a.events, { budgetChars: 600, historyComplete: true });
    expect(tight.turns).toBe(1);
    expect(tight.text.length).toBeLessThanOrEqual(600);
    expect(tight.text).toContain("cut to fit the budget");
  });

  it("is empty when there is nothing to tell or no room to tell it", () => {
    expect(handoffTranscript([], { budgetChars: 10_000, historyComplete: true }).text).toBe("");
    const a = axon();
    a.turn("q", "a");
    expect(handoffTranscript(a.events, { budgetChars: 50, historyComplete: true })).toEqual({
      text: "",
      turns: 0,
      omittedTurns: 0,
    });
  });

  it("says older turns are missing when the history it was given is incomplete", () => {
    const a = axon();
    a.turn("q", "a");
    expect(handoffTranscript(a.events, { budgetChars: 5_000, historyComplete: false }).text).toContain(
      "older turns are left out",
    );
  });

  const turnArb: fc.Arbitrary<PastTurn[]> = fc
    .array(
      fc.record({
        prompt: fc.string({ maxLength: 400 }),
        answer: fc.string({ maxLength: 400 }),
        output: fc.option(fc.string({ maxLength: 3000 }), { nil: undefined }),
      }),
      { maxLength: 30 },
    )
    .map((specs) =>
      specs.map((spec, i) => ({
        turnId: `turn_${i + 1}`,
        triggerSequence: i + 1,
        prompt: spec.prompt,
        entries: [
          ...(spec.output === undefined
            ? []
            : [
                {
                  kind: "tool" as const,
                  id: "t",
                  title: "tool",
                  toolKind: "other",
                  input: undefined,
                  status: "completed",
                  output: spec.output,
                },
              ]),
          { kind: "text" as const, text: spec.answer },
        ],
        ending: "end_turn",
      })),
    );

  it("property: never over budget; keeps a suffix of the turns (the newest), in order", () => {
    fc.assert(
      fc.property(turnArb, fc.integer({ min: 0, max: 20_000 }), fc.boolean(), (turns, budget, complete) => {
        const t = renderTranscript(turns, { budgetChars: budget, historyComplete: complete });
        expect(t.text.length).toBeLessThanOrEqual(budget);
        expect(t.turns + t.omittedTurns).toBe(t.turns === 0 ? 0 : turns.length);
        // The turns told are the newest ones, each header once, oldest first.
        const told = [...t.text.matchAll(/^### (turn_\d+)$/gm)].map((m) => m[1]);
        expect(told).toEqual(turns.slice(turns.length - t.turns).map((x) => x.turnId));
        if (t.turns > 0 && t.omittedTurns === 0 && complete) expect(t.text).not.toContain("left out");
      }),
    );
  });

  it("property: near the boundary too (budgets just around the whole transcript's size)", () => {
    fc.assert(
      fc.property(turnArb, fc.integer({ min: -400, max: 40 }), (turns, delta) => {
        const whole = renderTranscript(turns, { budgetChars: 1e9, historyComplete: true }).text.length;
        const budget = Math.max(0, whole + delta);
        const t = renderTranscript(turns, { budgetChars: budget, historyComplete: true });
        expect(t.text.length).toBeLessThanOrEqual(budget);
        if (delta >= 0) expect(t.omittedTurns).toBe(0);
      }),
    );
  });
});

describe("primedPrompt", () => {
  it("puts the transcript before the prompt, as text or as a first block", () => {
    expect(primedPrompt("T\n", "now?")).toBe("T\n\nnow?");
    expect(primedPrompt("T\n", [{ type: "text", text: "now?" }])).toEqual([
      { type: "text", text: "T\n" },
      { type: "text", text: "now?" },
    ]);
    expect(primedPrompt("", "now?")).toBe("now?");
  });
});
