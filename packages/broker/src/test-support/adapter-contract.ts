import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { processGroupAlive } from "../adapter-kit/agent-process.js";
import type { AgentAdapter, AgentSession } from "../agent-adapter.js";
import { AdapterDriver, type Decide, refuseToAsk, textOf } from "./adapter-driver.js";

/** The model behind the agent, scripted one reply at a time (replies are consumed in order). */
export interface ScriptedModel {
  /** The next reply: text streamed in these chunks, `delayMs` apart. */
  say(chunks: readonly string[], delayMs?: number): void;
  /** The next reply asks to run `command` in the shell; after the tool result, says `then`. */
  runShell(command: string, description: string, then?: string): void;
  /** The next model request fails with an API error carrying `message`. */
  fail(message: string): void;
  /** What the model was shown in request `index` (default the latest): "user: …", "tool_result ok", … */
  seen(index?: number): string;
  /** The credential the agent's first request carried, and the one the world gave it. */
  credentialSeen(): string | undefined;
  readonly expectedCredential: string;
  /** Resolves once the agent has stored `text` in session `sessionId` (so a crash cannot lose it). */
  persisted(sessionId: string, text: string): Promise<void>;
}

/** An adapter that names its agent's process (to kill it, and to check its group is gone). */
export type ContractAdapter = AgentAdapter & { readonly agentPid: number | undefined };

/** One adapter under test, started afresh for every case. */
export interface AdapterContractSubject {
  readonly adapter: ContractAdapter;
  readonly launch: { readonly cwd: string; readonly env: Readonly<Record<string, string>> };
  readonly model: ScriptedModel;
  /** Stops the adapter and removes what the subject made. */
  close(): Promise<void>;
}

export interface AdapterContractOptions {
  /** `restoredBy` of a session the adapter resumed. */
  readonly resumedAs: AgentSession["restoredBy"];
  /** How the error of a turn whose model request failed with "max_tokens: bogus value" reads. */
  readonly apiError: RegExp;
  /** Per case; real agents are slow to start. Default 90 s. */
  readonly timeoutMs?: number;
}

/**
 * The behaviour every agent adapter owes the broker, run against a real agent process: streaming,
 * permission round-trips, cancel, failure and recovery, session resume, crash and stop. Each
 * adapter's test file calls this once and keeps only its protocol's extras beside it, as
 * connect-es runs one conformance suite against every transport.
 */
export function describeAdapterContract(
  name: string,
  makeSubject: () => Promise<AdapterContractSubject>,
  options: AdapterContractOptions,
): void {
  const timeout = options.timeoutMs ?? 90_000;

  describe(`${name}: the adapter contract`, () => {
    let subject: AdapterContractSubject;
    let driver: AdapterDriver;
    let model: ScriptedModel;

    beforeEach(async () => {
      subject = await makeSubject();
      driver = new AdapterDriver(subject.adapter, subject.launch);
      model = subject.model;
    }, timeout);

    afterEach(async () => {
      await subject.close();
    }, timeout);

    it(
      "runs a text turn: the reply streams as message chunks and the turn completes with end_turn",
      async () => {
        const session = await driver.start();
        expect(session.restoredBy).toBe("new");
        expect(session.sessionId).not.toBe("");
        model.say(["Hello ", "from ", "the fake model."]);

        const outputs = await driver.runTurn("Say hello");

        expect(textOf(outputs)).toBe("Hello from the fake model.");
        expect(outputs.filter((o) => o.type === "message_chunk").length).toBeGreaterThan(1);
        expect(outputs.at(-1)).toEqual({ type: "completed", stopReason: "end_turn" });
        expect(model.credentialSeen()).toBe(model.expectedCredential);
        expect(model.seen(0)).toContain("user: Say hello");
      },
      timeout,
    );

    it(
      "asks permission for a tool call; allowed, the tool runs and its result goes back to the model",
      async () => {
        await driver.start();
        model.runShell("echo hi > hi.txt", "Write hi", "Wrote it.");
        const asked: Parameters<Decide>[0][] = [];
        const allow: Decide = async (request) => {
          asked.push(request);
          const option = request.options.find((o) => o.kind === "allow_once")!;
          return { outcome: "selected", optionId: option.optionId };
        };

        const outputs = await driver.runTurn("Write hi to hi.txt", allow);

        expect(asked).toHaveLength(1);
        const toolCallId = asked[0]?.toolCall.toolCallId;
        // The broker publishes the tool call before the permission request that concerns it.
        const toolCallAt = driver.timeline.indexOf(`tool_call ${toolCallId}`);
        expect(toolCallAt).toBeGreaterThanOrEqual(0);
        expect(toolCallAt).toBeLessThan(driver.timeline.indexOf(`permission ${toolCallId}`));
        expect(asked[0]?.toolCall.input).toEqual({ command: "echo hi > hi.txt", description: "Write hi" });
        expect(asked[0]?.options.map((o) => o.kind)).toContain("reject_once");
        expect(await readFile(join(subject.launch.cwd, "hi.txt"), "utf8")).toBe("hi\n");
        expect(outputs).toContainEqual(
          expect.objectContaining({ type: "tool_call", toolCallId, kind: "execute" }),
        );
        expect(outputs).toContainEqual(
          expect.objectContaining({ type: "tool_call_update", toolCallId, status: "completed" }),
        );
        expect(textOf(outputs)).toBe("Wrote it.");
        expect(outputs.at(-1)).toEqual({ type: "completed", stopReason: "end_turn" });
        expect(model.seen(1)).toContain("tool_result ok");
      },
      timeout,
    );

    it(
      "cancels a turn while the model is still streaming; the turn completes as cancelled and the session goes on",
      async () => {
        await driver.start();
        const chunks = Array.from({ length: 40 }, (_, i) => `chunk${i} `);
        model.say(chunks, 250);

        const outputs = await driver.runTurn("Tell me a long story", refuseToAsk, (output) => {
          if (output.type === "message_chunk") void subject.adapter.cancel();
        });

        expect(outputs.at(-1)).toEqual({ type: "completed", stopReason: "cancelled" });
        expect(textOf(outputs).length).toBeLessThan(chunks.join("").length);
        model.say(["Still here."]);
        expect(textOf(await driver.runTurn("Are you there?"))).toBe("Still here.");
      },
      timeout,
    );

    it(
      "fails the turn when the model API rejects the request, and the next turn works",
      async () => {
        await driver.start();
        model.fail("max_tokens: bogus value");

        await expect(driver.runTurn("Hello")).rejects.toThrow(options.apiError);
        model.say(["Recovered."]);
        expect(textOf(await driver.runTurn("Hello again"))).toBe("Recovered.");
      },
      timeout,
    );

    it(
      "restores the session after stop: the model's next request holds the first exchange, twice over",
      async () => {
        const first = await driver.start();
        model.say(["Noted: pineapple."]);
        await driver.runTurn("Remember the word pineapple");
        await subject.adapter.stop();

        const restored = await driver.start(first.sessionId);

        expect(restored.note).toBeUndefined();
        expect(restored).toEqual({ sessionId: first.sessionId, restoredBy: options.resumedAs });
        model.say(["You said pineapple."]);
        expect(textOf(await driver.runTurn("Which word did I ask you to remember?"))).toBe(
          "You said pineapple.",
        );
        const seen = model.seen();
        expect(seen).toContain("user: Remember the word pineapple");
        expect(seen).toContain("assistant: Noted: pineapple.");
        expect(seen).toContain("user: Which word did I ask you to remember?");

        // A second suspend and wake keeps the whole conversation under the same session id.
        await subject.adapter.stop();
        expect(await driver.start(first.sessionId)).toEqual({
          sessionId: first.sessionId,
          restoredBy: options.resumedAs,
        });
        model.say(["Still pineapple."]);
        await driver.runTurn("And now?");
        const later = model.seen();
        expect(later).toContain("user: Remember the word pineapple");
        expect(later).toContain("assistant: You said pineapple.");
        expect(later).toContain("user: And now?");
      },
      timeout,
    );

    it(
      "fails the turn when the agent is killed mid-turn, reports the exit, and restarts into the same session",
      async () => {
        const first = await driver.start();
        model.say(["Noted: kiwi."]);
        await driver.runTurn("Remember the word kiwi");
        await model.persisted(first.sessionId, "Noted: kiwi.");
        model.say(
          Array.from({ length: 40 }, (_, i) => `part${i} `),
          250,
        );
        const pid = subject.adapter.agentPid!;

        const turn = driver.runTurn("Tell me a long story", refuseToAsk, (output) => {
          if (output.type === "message_chunk") process.kill(pid, "SIGKILL");
        });

        await expect(turn).rejects.toThrow(/killed by SIGKILL/);
        expect(driver.exits).toEqual([{ code: null, signal: "SIGKILL" }]);
        // As the broker does after a crash: start again with the session id it keeps in the axon.
        const session = await driver.start(first.sessionId);
        expect(session).toEqual({ sessionId: first.sessionId, restoredBy: options.resumedAs });
        model.say(["Back again."]);
        expect(textOf(await driver.runTurn("Hello?"))).toBe("Back again.");
        expect(model.seen()).toContain("user: Remember the word kiwi");
      },
      timeout,
    );

    it(
      "stop() ends the agent and every process it started",
      async () => {
        await driver.start();
        model.say(["Hi."]);
        await driver.runTurn("Hi");
        const pid = subject.adapter.agentPid!;
        expect(processGroupAlive(pid)).toBe(true);

        await subject.adapter.stop();
        await subject.adapter.stop();

        expect(processGroupAlive(pid)).toBe(false);
        expect(driver.exits).toEqual([]);
      },
      timeout,
    );
  });
}
