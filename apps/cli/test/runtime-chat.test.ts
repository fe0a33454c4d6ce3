import { type RealServer, startRealServer } from "@openaxon/client/test-support";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { jsonLines, runAxon, spawnAxon } from "./support/run-axon.js";

// The real `axon` bin as a child process against a real server (classic-level store, a real
// RuntimeManager running real programs as agents).

let real: RealServer;
let env: Record<string, string>;

beforeAll(async () => {
  real = await startRealServer({ runtimes: true, cancelGraceMs: 5_000 });
  env = { OPENAXON_URL: real.url };
});

afterAll(async () => {
  await real.close();
});

interface JsonRuntime {
  id: string;
  name: string;
  status: string;
  statusReason: string;
  mounts: {
    axonId: string;
    protocol: string;
    agentBinary: string;
    launchArgs: string[];
    permissionPolicy: string;
  }[];
  lifecycle: { idleTimeSeconds: number; onIdle: string; resumeOnEvent: boolean };
  env: Record<string, string>;
  workingDirectory: string;
}

async function newAxon(): Promise<string> {
  const run = await runAxon(["create"], { env });
  expect(run.code).toBe(0);
  return run.stdout.trim();
}

async function createRuntime(axonId: string, ...args: string[]): Promise<string> {
  const run = await runAxon(["runtime", "create", "--axon", axonId, ...args], { env });
  expect(run, run.stderr).toMatchObject({ code: 0 });
  return run.stdout.trim();
}

describe("axon runtime + axon chat", () => {
  it("runs cat as an agent and prints its reply", async () => {
    const axonId = await newAxon();
    const runtimeId = await createRuntime(axonId, "--protocol", "stdio", "--agent", "cat");
    expect(runtimeId).toMatch(/^rt_[0-9a-z]{26}$/);

    const chat = await runAxon(["chat", axonId, "hello, cat"], { env });
    expect(chat).toMatchObject({ code: 0, stdout: "hello, cat\n" });

    // Words are joined; stdin works too.
    expect((await runAxon(["chat", axonId, "two", "words"], { env })).stdout).toBe("two words\n");
    expect((await runAxon(["chat", axonId], { env, stdin: "from stdin\n" })).stdout).toBe("from stdin\n");
  });

  it("exits 1 with the agent's error when the turn fails", async () => {
    const axonId = await newAxon();
    await createRuntime(
      axonId,
      "--protocol",
      "stdio",
      "--agent",
      "sh",
      "--",
      "-c",
      "echo partial; echo boom >&2; exit 3",
    );
    const chat = await runAxon(["chat", axonId, "fail"], { env });
    expect(chat.code).toBe(1);
    expect(chat.stdout).toBe("partial\n");
    expect(chat.stderr).toMatch(/error: turn failed: sh exited with code 3/);
    expect(chat.stderr).toContain("boom");
  });

  it("prints each turn event as a JSON line with --json", async () => {
    const axonId = await newAxon();
    await createRuntime(axonId, "--protocol", "stdio", "--agent", "cat");
    const chat = await runAxon(["--json", "chat", axonId, "as json"], { env });
    expect(chat.code).toBe(0);
    const events = jsonLines<{ eventType: string; payload: { turn_id: string; text?: string } }>(chat.stdout);
    expect(events.map((event) => event.eventType)).toEqual([
      "turn.started",
      "turn.message_chunk",
      "turn.completed",
    ]);
    expect(new Set(events.map((event) => event.payload.turn_id)).size).toBe(1);
    expect(events[1]?.payload.text).toBe("as json");
  });

  it("refuses to chat on an axon no runtime hosts, saying how to start one", async () => {
    const axonId = await newAxon();
    const chat = await runAxon(["chat", axonId, "anyone?"], { env });
    expect(chat.code).toBe(1);
    expect(chat.stderr).toContain(`no runtime hosts an agent on axon ${axonId}`);
    expect(chat.stderr).toContain(`axon runtime create --axon ${axonId} --protocol stdio --agent cat`);
  });

  it("creates with every option and lists, gets, suspends, resumes and shuts down as JSON", async () => {
    const axonId = await newAxon();
    const created = await runAxon(
      [
        "--json",
        "runtime",
        "create",
        "--axon",
        axonId,
        "--protocol",
        "stdio",
        "--agent",
        "sh",
        "--name",
        "full",
        "--env",
        "GREETING=hi",
        "--permission",
        "ask",
        "--idle-suspend",
        "300",
        "--no-wake",
        "--cwd",
        real.dir,
        "--",
        "-c",
        'printf "%s %s" "$GREETING" "$(cat)"',
      ],
      { env },
    );
    expect(created.code, created.stderr).toBe(0);
    const [runtime] = jsonLines<JsonRuntime>(created.stdout);
    expect(runtime).toMatchObject({
      name: "full",
      status: "running",
      mounts: [{ axonId, protocol: "stdio", agentBinary: "sh", permissionPolicy: "ask" }],
      lifecycle: { idleTimeSeconds: 300, onIdle: "suspend", resumeOnEvent: false },
      env: { GREETING: "hi" },
      workingDirectory: real.dir,
    });
    expect(runtime!.mounts[0]!.launchArgs).toEqual(["-c", 'printf "%s %s" "$GREETING" "$(cat)"']);
    expect((await runAxon(["chat", axonId, "there"], { env })).stdout).toBe("hi there\n");

    const id = runtime!.id;
    const listed = jsonLines<JsonRuntime>((await runAxon(["--json", "runtime", "list"], { env })).stdout);
    expect(listed.map((r) => r.id)).toContain(id);
    const got = jsonLines<JsonRuntime>((await runAxon(["runtime", "get", id, "--json"], { env })).stdout);
    expect(got[0]).toMatchObject({ id, status: "running" });

    const step = async (command: string) => {
      const run = await runAxon(["--json", "runtime", command, id], { env });
      expect(run.code, run.stderr).toBe(0);
      return jsonLines<JsonRuntime>(run.stdout)[0];
    };
    expect(await step("suspend")).toMatchObject({
      status: "suspended",
      statusReason: "suspended by request",
    });
    expect(await step("resume")).toMatchObject({ status: "running", statusReason: "resumed by request" });
    expect(await step("shutdown")).toMatchObject({ status: "shutdown" });

    const human = await runAxon(["runtime", "get", id], { env });
    expect(human.stdout).toMatch(/^status +shutdown {2}shut down by request$/m);
    expect(human.stdout).toMatch(/^idle +suspend after 300s, no wake$/m);
  });

  it("explains bad runtime requests", async () => {
    const axonId = await newAxon();
    const missing = await runAxon(
      ["runtime", "create", "--axon", axonId, "--protocol", "stdio", "--agent", "no-such-agent-q"],
      { env },
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/rejected by axond: .*no-such-agent-q not found on the agent's PATH/);

    const noProtocol = await runAxon(["runtime", "create", "--axon", axonId, "--agent", "cat"], { env });
    expect(noProtocol.code).toBe(2);
    expect(noProtocol.stderr).toMatch(/--protocol/);

    const both = await runAxon(
      [
        "runtime",
        "create",
        "--axon",
        axonId,
        "--protocol",
        "stdio",
        "--agent",
        "cat",
        "--idle-suspend",
        "5",
        "--idle-shutdown",
        "5",
      ],
      { env },
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/cannot be used with/);

    const unknown = await runAxon(["runtime", "get", "rt_00000000000000000000000000"], { env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/not found: runtime rt_0+ not found/);
  });

  it("prints how to answer a permission request when it cannot ask, and finishes once answered", async () => {
    const agent = `
while IFS= read -r line; do
  case "$line" in
    *'"type":"start"'*) printf '{"type":"session","session_id":"s1"}\\n' ;;
    *'"type":"prompt"'*)
      printf '{"type":"permission_request","request_id":"r1","tool_call":{"tool_call_id":"t1","title":"touch x","kind":"edit","status":"pending"},"options":[{"option_id":"ok","name":"Allow","kind":"allow_once"}]}\\n' ;;
    *'"type":"permission_response"'*)
      printf '{"type":"message_chunk","text":"done"}\\n'
      printf '{"type":"completed","stop_reason":"end_turn"}\\n' ;;
  esac
done`;
    const axonId = await newAxon();
    await createRuntime(
      axonId,
      "--protocol",
      "stdio",
      "--agent",
      "sh",
      "--permission",
      "ask",
      "--",
      "--jsonl",
      "-c",
      agent,
    );

    const chat = spawnAxon(["chat", axonId, "go"], env);
    await vi.waitFor(() => expect(chat.stderr()).toContain("permission.response"), { timeout: 10_000 });
    expect(chat.stderr()).toContain("permission requested: touch x (edit)");
    // The hint is a command line that works as printed.
    const hint = chat
      .stderr()
      .split("\n")
      .find((line) => line.includes('"option_id":"ok"'));
    const payload = /'(\{.*\})'/.exec(hint ?? "")?.[1];
    expect(payload).toBeDefined();
    const answer = await runAxon(["publish", axonId, "--type", "permission.response", payload!], { env });
    expect(answer.code).toBe(0);

    expect(await chat.exited).toBe(0);
    expect(chat.lines()).toEqual(["done"]);
  });

  it("cancels the turn on Ctrl-C, waits for it to end and exits 130", async () => {
    const axonId = await newAxon();
    await createRuntime(axonId, "--protocol", "stdio", "--agent", "sh", "--", "-c", "echo working; sleep 30");
    const chat = spawnAxon(["chat", axonId, "long job"], env);
    await vi.waitFor(() => expect(chat.lines()).toEqual(["working"]), { timeout: 10_000 });
    chat.child.kill("SIGINT");
    expect(await chat.exited).toBe(130);
    expect(chat.stderr()).toContain("cancelling the turn");

    const events = jsonLines<{ eventType: string; payload: Record<string, unknown> }>(
      (await runAxon(["events", axonId, "--json"], { env })).stdout,
    );
    const cancel = events.find((event) => event.eventType === "turn.cancel");
    const completed = events.find((event) => event.eventType === "turn.completed");
    expect(cancel?.payload).toEqual({ turn_id: completed?.payload.turn_id });
    expect(completed?.payload.stop_reason).toBe("cancelled");
  });
});
