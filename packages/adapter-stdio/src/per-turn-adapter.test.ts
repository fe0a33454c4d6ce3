import { mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TurnOutput } from "@openaxon/broker";
import { afterEach, describe, expect, it } from "vitest";
import { PerTurnStdioAdapter } from "./per-turn-adapter.js";
import { collect, isGone, startOptions, turnInput, waitUntil } from "./test-support/process-helpers.js";

const adapters: PerTurnStdioAdapter[] = [];
afterEach(async () => {
  await Promise.all(adapters.splice(0).map((a) => a.stop()));
});

function adapter(agentBinary: string, launchArgs: string[] = []) {
  const a = new PerTurnStdioAdapter({
    agentBinary,
    launchArgs,
    interruptGraceMs: 300,
    terminateGraceMs: 300,
  });
  adapters.push(a);
  return a;
}

const sh = (script: string) => adapter("sh", ["-c", script]);

describe("PerTurnStdioAdapter with real programs", () => {
  it("cat: the prompt comes back line by line, newlines kept, then end_turn", async () => {
    const cat = adapter("cat");
    await cat.start(startOptions().options);
    expect(await collect(cat.prompt(turnInput("first line\nsecond line\nno newline at the end")))).toEqual([
      { type: "message_chunk", text: "first line\n" },
      { type: "message_chunk", text: "second line\n" },
      { type: "message_chunk", text: "no newline at the end" },
      { type: "completed", stopReason: "end_turn" },
    ]);
  });

  it("rev: each turn is a fresh process reading the prompt's text blocks", async () => {
    const rev = adapter("rev");
    await rev.start(startOptions().options);
    expect(await collect(rev.prompt(turnInput("stressed\n")))).toEqual([
      { type: "message_chunk", text: "desserts\n" },
      { type: "completed", stopReason: "end_turn" },
    ]);
    const blocks = [
      { type: "text" as const, text: "drawer" },
      { type: "text" as const, text: "live" },
    ];
    expect(await collect(rev.prompt(turnInput(blocks)))).toEqual([
      { type: "message_chunk", text: "reward\n" },
      { type: "message_chunk", text: "evil" },
      { type: "completed", stopReason: "end_turn" },
    ]);
  });

  it("sh: multi-line stdout streams as chunks and stderr lines go to onLog", async () => {
    const agent = sh('echo "one"; echo "warning: careful" >&2; printf "two\\nthree\\n"; echo "done" >&2');
    const { options, logs } = startOptions();
    await agent.start(options);
    const outputs = await collect(agent.prompt(turnInput("ignored")));
    expect(outputs).toEqual([
      { type: "message_chunk", text: "one\n" },
      { type: "message_chunk", text: "two\n" },
      { type: "message_chunk", text: "three\n" },
      { type: "completed", stopReason: "end_turn" },
    ]);
    expect(logs).toEqual(["warning: careful", "done"]);
  });

  it("runs in the agent's cwd with exactly the agent's env", async () => {
    const dir = await realpath(await mkdtemp(join(tmpdir(), "openaxon-stdio-")));
    try {
      const agent = sh('pwd; echo "FOO=$FOO HOME=$HOME."');
      await agent.start(
        startOptions({ cwd: dir, env: { PATH: process.env.PATH ?? "", FOO: "bar" } }).options,
      );
      const text = (await collect(agent.prompt(turnInput(""))))
        .map((o) => (o.type === "message_chunk" ? o.text : ""))
        .join("");
      expect(text).toBe(`${dir}\nFOO=bar HOME=.\n`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a non-zero exit fails the turn with the exit code and the stderr tail (about 2 KB)", async () => {
    const agent = sh(
      'echo partial; for i in $(seq 1 500); do echo "noise line $i" >&2; done; echo "fatal: no API key" >&2; exit 3',
    );
    const { options, logs } = startOptions();
    await agent.start(options);
    const seen: TurnOutput[] = [];
    const error = await (async () => {
      try {
        for await (const output of agent.prompt(turnInput("hi"))) seen.push(output);
      } catch (e) {
        return e as Error;
      }
      throw new Error("the turn should have failed");
    })();
    expect(seen).toEqual([{ type: "message_chunk", text: "partial\n" }]);
    expect(error.message).toMatch(/^sh exited with code 3; stderr:\n/);
    expect(error.message).toMatch(/noise line 500\nfatal: no API key$/);
    expect(error.message).not.toMatch(/noise line 1\n/);
    expect(error.message.length).toBeLessThan(2_200);
    expect(logs).toHaveLength(501);
  });

  it("start fails clearly when the binary is not on the agent's PATH", async () => {
    const agent = adapter("no-such-agent-binary");
    await expect(agent.start(startOptions().options)).rejects.toThrow(
      /no-such-agent-binary not found on the agent's PATH/,
    );
  });

  it("cancel interrupts the process group: the turn completes as cancelled and a backgrounded grandchild dies too", async () => {
    // The shell backgrounds a sleep (which ignores SIGINT, as background jobs of sh do) and prints its pid.
    const agent = sh("sleep 30 & echo $!; wait");
    await agent.start(startOptions().options);
    const outputs: TurnOutput[] = [];
    let grandchild = 0;
    for await (const output of agent.prompt(turnInput(""))) {
      outputs.push(output);
      if (output.type === "message_chunk" && grandchild === 0) {
        grandchild = Number(output.text.trim());
        expect(isGone(grandchild)).toBe(false);
        await agent.cancel();
      }
    }
    expect(outputs.at(-1)).toEqual({ type: "completed", stopReason: "cancelled" });
    await waitUntil(() => isGone(grandchild), "the grandchild sleep is gone");
  });

  it("cancel escalates to SIGKILL for a process that ignores SIGINT and SIGTERM", async () => {
    const agent = sh('trap "" INT TERM; echo ready; sleep 30; echo "should never print"');
    await agent.start(startOptions().options);
    const outputs: TurnOutput[] = [];
    for await (const output of agent.prompt(turnInput(""))) {
      outputs.push(output);
      if (output.type === "message_chunk") await agent.cancel();
    }
    expect(outputs).toEqual([
      { type: "message_chunk", text: "ready\n" },
      { type: "completed", stopReason: "cancelled" },
    ]);
  });

  it("stop() during a turn kills the process group and the turn fails as stopped", async () => {
    const agent = sh("sleep 30 & echo $!; wait");
    await agent.start(startOptions().options);
    const turn = agent.prompt(turnInput(""))[Symbol.asyncIterator]();
    const first = await turn.next();
    const grandchild = Number((first.value as { text: string }).text.trim());
    const rest = expect(turn.next()).rejects.toThrow(/stopped during the turn/);
    await agent.stop();
    await rest;
    await waitUntil(() => isGone(grandchild), "the grandchild sleep is gone");
  });

  it("keeps one session id per mount: a new uuid, or the resumed one with a note that nothing is restored", async () => {
    const agent = adapter("cat");
    const fresh = await agent.start(startOptions().options);
    expect(fresh).toEqual({ sessionId: expect.stringMatching(/^stdio_[0-9a-f-]{36}$/), restoredBy: "new" });
    const again = await agent.start(startOptions({ resumeSessionId: fresh.sessionId }).options);
    expect(again.sessionId).toBe(fresh.sessionId);
    expect(again.note).toMatch(/no session/);
  });
});
