import { type RealServer, startRealServer } from "@openaxon/client/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAxon } from "./support/run-axon.js";

// Issue 14 item 2 from the command line: `axon runtime update` against a real server running real
// stdio agents. `cat` answers with its input, so the chat shows what the new agent was given.

let real: RealServer;
let env: Record<string, string>;

beforeAll(async () => {
  real = await startRealServer({ runtimes: true });
  env = { OPENAXON_URL: real.url };
});

afterAll(async () => {
  await real.close();
});

describe("axon runtime update", () => {
  it("switches the agent; the new one is primed with the earlier turn; --model reaches the next turn", async () => {
    const axonId = (await runAxon(["create"], { env })).stdout.trim();
    const create = await runAxon(
      [
        ...["runtime", "create", "--axon", axonId, "--protocol", "stdio", "--agent", "sh"],
        ...["--", "-c", "cat >/dev/null; printf 'forty-two\\n'"],
      ],
      { env },
    );
    expect(create, create.stderr).toMatchObject({ code: 0 });
    const runtimeId = create.stdout.trim();
    expect((await runAxon(["chat", axonId, "the answer?"], { env })).stdout).toBe("forty-two\n");

    const update = await runAxon(["runtime", "update", runtimeId, "--agent", "cat", "--clear-args"], { env });
    expect(update, update.stderr).toMatchObject({ code: 0 });
    expect(update.stdout).toBe(`${runtimeId} updated: stdio cat\n`);
    const primed = await runAxon(["chat", axonId, "what was the answer?"], { env });
    expect(primed.stdout).toContain("User: the answer?");
    expect(primed.stdout).toContain("Agent: forty-two");
    expect(primed.stdout.trimEnd().endsWith("what was the answer?")).toBe(true);

    const model = await runAxon(
      [
        "runtime",
        "update",
        runtimeId,
        "--agent",
        "sh",
        "--model",
        "m-9",
        "--",
        "-c",
        'cat >/dev/null; printf "%s\\n" "$OPENAXON_MODEL"',
      ],
      { env },
    );
    expect(model, model.stderr).toMatchObject({ code: 0 });
    expect((await runAxon(["chat", axonId, "model?"], { env })).stdout).toContain("m-9");
  });

  it("names the field the server refuses, and refuses an update that changes nothing", async () => {
    const axonId = (await runAxon(["create"], { env })).stdout.trim();
    const runtimeId = (
      await runAxon(["runtime", "create", "--axon", axonId, "--protocol", "stdio", "--agent", "cat"], { env })
    ).stdout.trim();
    const missing = await runAxon(["runtime", "update", runtimeId, "--agent", "no-such-agent-q"], { env });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/mount\.agent_binary: .*no-such-agent-q not found/);
    const nothing = await runAxon(["runtime", "update", runtimeId], { env });
    expect(nothing.code).not.toBe(0);
    expect(nothing.stderr).toMatch(/nothing to change/);
  });
});

describe("axon chat --new-session / --session", () => {
  it("publishes the session request right before the message; the agent restarts in that session", async () => {
    const axonId = (await runAxon(["create"], { env })).stdout.trim();
    const create = await runAxon(
      ["runtime", "create", "--axon", axonId, "--protocol", "stdio", "--agent", "cat"],
      {
        env,
      },
    );
    expect(create, create.stderr).toMatchObject({ code: 0 });
    expect((await runAxon(["chat", axonId, "one"], { env })).stdout).toBe("one\n");
    expect((await runAxon(["chat", axonId, "--new-session", "two"], { env })).stdout).toBe("two\n");
    const both = await runAxon(["chat", axonId, "--new-session", "--session", "x", "three"], { env });
    expect(both.code).not.toBe(0);
    expect(both.stderr).toMatch(/either --new-session or --session/);

    const tail = await runAxon(["--json", "tail", axonId], { env });
    const events = tail.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { eventType: string; payload: { agent_session_id?: string } });
    const types = events.map((e) => e.eventType);
    const request = types.indexOf("session.new");
    expect(request).toBeGreaterThan(0);
    expect(types.indexOf("user.message", request)).toBeGreaterThan(request);
    const sessions = events
      .filter((e) => e.eventType === "session.started")
      .map((e) => e.payload.agent_session_id);
    expect(sessions).toHaveLength(2);
    expect(sessions[1]).not.toBe(sessions[0]);
    expect(types.indexOf("session.started", request)).toBeLessThan(types.indexOf("turn.started", request));
  });
});
