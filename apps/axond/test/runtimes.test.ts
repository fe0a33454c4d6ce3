import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { AgentProtocol, type Event, OnIdle, Origin, RuntimeService, RuntimeStatus } from "@openaxon/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type AxonClient, connectAxonClient, readAll } from "./support/axon-client.js";
import { type AxondProcess, startAxondProcess } from "./support/axond-process.js";

// Real axond child processes serving RuntimeService, with real agents: `cat` (one process per
// turn) and a long-lived JSON-lines agent written in sh. No SDK, no fakes.

/**
 * A jsonl agent (adapter-stdio's protocol) that stays up between turns, like a real coding agent:
 * it restores the session it is asked to, answers "echo: <prompt>", and leaves its pid and the pid
 * of a background child in its working directory so the test can look for leftovers.
 */
const JSONL_AGENT = `
echo $$ > agent.pid
sleep 1000 &
echo $! > child.pid
while IFS= read -r line; do
  case "$line" in
    *'"type":"start"'*)
      id=$(printf '%s' "$line" | sed -n 's/.*"resume_session_id":"\\([^"]*\\)".*/\\1/p')
      [ -n "$id" ] || id="sess-$$"
      printf '{"type":"session","session_id":"%s"}\\n' "$id" ;;
    *'"type":"prompt"'*)
      text=$(printf '%s' "$line" | sed -n 's/.*"content":"\\([^"]*\\)".*/\\1/p')
      printf '{"type":"message_chunk","text":"echo: %s"}\\n' "$text"
      printf '{"type":"completed","stop_reason":"end_turn"}\\n' ;;
  esac
done
`;

type RuntimeClient = Client<typeof RuntimeService>;

const UNSANDBOXED = { OPENAXON_SANDBOX: "off" };

let dataDir: string;
let axond: AxondProcess | undefined;
const agentPids: number[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "axond-runtimes-"));
});
afterEach(async () => {
  await axond?.stop("SIGKILL");
  axond = undefined;
  for (const pid of agentPids.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Gone, as it should be.
    }
  }
  await rm(dataDir, { recursive: true, force: true });
});

async function start(
  env: Record<string, string> = {},
  apiKey?: string,
): Promise<{ axons: AxonClient; runtimes: RuntimeClient }> {
  axond = await startAxondProcess({ args: ["--listen", "127.0.0.1:0", "--data-dir", dataDir], env });
  const auth: Interceptor = (next) => (request) => {
    if (apiKey) request.header.set("authorization", `Bearer ${apiKey}`);
    return next(request);
  };
  return {
    axons: connectAxonClient(axond.url, apiKey),
    runtimes: createClient(RuntimeService, createGrpcTransport({ baseUrl: axond.url, interceptors: [auth] })),
  };
}

async function say(axons: AxonClient, axonId: string, content: string): Promise<number> {
  const { sequence } = await axons.publish({
    axonId,
    origin: Origin.USER_EVENT,
    source: "test",
    eventType: "user.message",
    payload: JSON.stringify({ content }),
  });
  return Number(sequence);
}

const payloadOf = (e: Event) => JSON.parse(e.payload) as Record<string, unknown>;

/** Waits for the turn of a trigger to end; returns its reply text and the axon's events. */
async function reply(axons: AxonClient, axonId: string, trigger: number) {
  const turnId = `turn_${trigger}`;
  let events: Event[] = [];
  await vi.waitFor(
    async () => {
      events = await readAll(axons, axonId);
      const ended = events.some(
        (e) =>
          (e.eventType === "turn.completed" || e.eventType === "turn.failed") &&
          payloadOf(e).turn_id === turnId,
      );
      if (!ended) throw new Error(`${turnId} has not ended`);
    },
    { timeout: 20_000, interval: 50 },
  );
  const ending = events.find(
    (e) =>
      (e.eventType === "turn.completed" || e.eventType === "turn.failed") && payloadOf(e).turn_id === turnId,
  )!;
  const text = events
    .filter((e) => e.eventType === "turn.message_chunk" && payloadOf(e).turn_id === turnId)
    .map((e) => payloadOf(e).text)
    .join("");
  return { ending: ending.eventType, text, events };
}

async function statusOf(runtimes: RuntimeClient, id: string) {
  return (await runtimes.getRuntime({ id })).runtime!;
}

function waitForStatus(runtimes: RuntimeClient, id: string, status: RuntimeStatus) {
  return vi.waitFor(
    async () => {
      const current = (await statusOf(runtimes, id)).status;
      if (current !== status)
        throw new Error(`runtime is ${RuntimeStatus[current]}, waiting for ${RuntimeStatus[status]}`);
    },
    { timeout: 20_000, interval: 50 },
  );
}

/** Whether the process runs (zombies do not count). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

async function readPids(dir: string): Promise<number[]> {
  const pids = await Promise.all(
    ["agent.pid", "child.pid"].map(async (f) => Number((await readFile(join(dir, f), "utf8")).trim())),
  );
  agentPids.push(...pids);
  return pids;
}

/** Each trigger started at most once and ended exactly once. */
function expectEachTurnOnce(events: readonly Event[], triggers: readonly number[]) {
  for (const trigger of triggers) {
    const turnId = `turn_${trigger}`;
    const of = (type: string) =>
      events.filter((e) => e.eventType === type && payloadOf(e).turn_id === turnId).length;
    expect(of("turn.started"), `${turnId} started`).toBe(1);
    expect(of("turn.completed") + of("turn.failed"), `${turnId} ended`).toBe(1);
  }
}

describe.skipIf(process.platform !== "linux")("runtimes in axond", () => {
  it("runs a stdio agent that answers in the axon; suspends and resumes over RPC; idles out and wakes on the next message", async () => {
    const { axons, runtimes } = await start();
    const { axon } = await axons.createAxon({ name: "cat-chat" });
    const axonId = axon!.id;
    const { runtime } = await runtimes.createRuntime({
      name: "cat",
      mounts: [{ axonId, protocol: AgentProtocol.STDIO, agentBinary: "cat" }],
      lifecycle: {
        afterIdle: { idleTimeSeconds: 1, onIdle: OnIdle.SUSPEND },
        resumeTriggers: { axonEvent: true },
      },
    });
    expect(runtime!.status).toBe(RuntimeStatus.RUNNING);
    expect(runtime!.workingDirectory).toBe(join(dataDir, "runtimes", runtime!.id));

    const first = await say(axons, axonId, "hello from the user");
    expect(await reply(axons, axonId, first)).toMatchObject({
      ending: "turn.completed",
      text: "hello from the user",
    });

    // Idle for a second: suspended by the runtime itself.
    await waitForStatus(runtimes, runtime!.id, RuntimeStatus.SUSPENDED);
    expect((await statusOf(runtimes, runtime!.id)).statusReason).toBe("idle for 1s");

    // The next message wakes it.
    const second = await say(axons, axonId, "are you there?");
    expect((await reply(axons, axonId, second)).text).toBe("are you there?");

    // By hand: suspend, resume.
    expect((await runtimes.suspendRuntime({ id: runtime!.id })).runtime!.status).toBe(
      RuntimeStatus.SUSPENDED,
    );
    expect((await runtimes.resumeRuntime({ id: runtime!.id })).runtime!.status).toBe(RuntimeStatus.RUNNING);

    const events = await readAll(axons, axonId);
    const runtimeEvents = events
      .filter((e) => e.eventType.startsWith("runtime."))
      .map((e) => `${e.eventType} ${payloadOf(e).reason ?? ""}`.trim());
    expect(runtimeEvents).toEqual([
      "runtime.running",
      "runtime.suspended idle for 1s",
      `runtime.resumed woken by user.message at sequence ${second} in ${axonId}`,
      "runtime.suspended suspended by request",
      "runtime.resumed resumed by request",
    ]);
    expect(
      events.filter((e) => e.eventType.startsWith("runtime.")).every((e) => e.origin === Origin.SYSTEM_EVENT),
    ).toBe(true);
    expectEachTurnOnce(events, [first, second]);
  });

  // The two tests below follow agent pids that the agents write themselves, so their agents run
  // unsandboxed (a sandbox has its own PID namespace); sandboxed-runtimes.test.ts reaps sandboxes.
  it("survives SIGKILL mid-idle: no agent process is left behind, and after a restart each runtime is back in its state and answers, no turn run twice", async () => {
    let { axons, runtimes } = await start(UNSANDBOXED);
    const a = (await axons.createAxon({ name: "always-on" })).axon!.id;
    const b = (await axons.createAxon({ name: "sleepy" })).axon!.id;
    const jsonlMount = (axonId: string) => ({
      axonId,
      protocol: AgentProtocol.STDIO,
      agentBinary: "sh",
      launchArgs: ["--jsonl", "-c", JSONL_AGENT],
    });
    const running = (await runtimes.createRuntime({ name: "a", mounts: [jsonlMount(a)] })).runtime!;
    const sleepy = (await runtimes.createRuntime({ name: "b", mounts: [jsonlMount(b)] })).runtime!;

    const a1 = await say(axons, a, "one");
    expect((await reply(axons, a, a1)).text).toBe("echo: one");
    const b1 = await say(axons, b, "uno");
    expect((await reply(axons, b, b1)).text).toBe("echo: uno");
    const sessionBefore = (await readAll(axons, a))
      .filter((e) => e.eventType === "session.started")
      .map(payloadOf)[0]!;
    await runtimes.suspendRuntime({ id: sleepy.id });

    const pids = await readPids(running.workingDirectory);
    expect(pids.every(isRunning)).toBe(true);

    // Mid-idle, the server is killed outright: nothing runs its shutdown code.
    const exit = await axond!.stop("SIGKILL");
    expect(exit.signal).toBe("SIGKILL");
    await vi.waitFor(
      () => {
        const alive = pids.filter(isRunning);
        if (alive.length > 0) throw new Error(`agent processes still running: ${alive.join(", ")}`);
      },
      { timeout: 10_000, interval: 25 },
    );

    ({ axons, runtimes } = await start(UNSANDBOXED));
    await waitForStatus(runtimes, running.id, RuntimeStatus.RUNNING);
    expect((await statusOf(runtimes, sleepy.id)).status).toBe(RuntimeStatus.SUSPENDED);

    const a2 = await say(axons, a, "two");
    const afterRestart = await reply(axons, a, a2);
    expect(afterRestart.text).toBe("echo: two");
    expectEachTurnOnce(afterRestart.events, [a1, a2]);
    const sessions = afterRestart.events.filter((e) => e.eventType === "session.started").map(payloadOf);
    expect(sessions.at(-1)).toMatchObject({ agent_session_id: sessionBefore.agent_session_id });
    expect(
      afterRestart.events
        .filter((e) => e.eventType.startsWith("runtime."))
        .map((e) => `${e.eventType} ${payloadOf(e).reason ?? ""}`.trim()),
    ).toEqual(["runtime.running", "runtime.running server restarted"]);

    // The suspended one stayed suspended and still wakes on its next message.
    const b2 = await say(axons, b, "dos");
    const woken = await reply(axons, b, b2);
    expect(woken.text).toBe("echo: dos");
    expectEachTurnOnce(woken.events, [b1, b2]);
    expect((await statusOf(runtimes, sleepy.id)).status).toBe(RuntimeStatus.RUNNING);
  });

  it("gives agents an environment without the server's secrets", async () => {
    const secretKey = Buffer.alloc(32, 7).toString("base64");
    const { axons, runtimes } = await start(
      {
        OPENAXON_API_KEYS: "key-secret-123",
        OPENAXON_SECRET_KEY: secretKey,
        AWS_SECRET_ACCESS_KEY: "aws-secret-456",
        LANG: "C.UTF-8",
      },
      "key-secret-123",
    );
    const axonId = (await axons.createAxon({})).axon!.id;
    const { runtime } = await runtimes.createRuntime({
      mounts: [
        {
          axonId,
          protocol: AgentProtocol.STDIO,
          agentBinary: "sh",
          launchArgs: ["-c", "env"],
          env: { MODEL: "m1" },
        },
      ],
      env: { TEAM: "t1" },
    });
    const printed = (await reply(axons, axonId, await say(axons, axonId, "print your env"))).text;
    expect(printed).not.toContain("key-secret-123");
    expect(printed).not.toContain("aws-secret-456");
    expect(printed).not.toContain("OPENAXON_API_KEYS");
    expect(printed).not.toContain(secretKey);
    expect(printed).not.toContain("OPENAXON_SECRET_KEY");
    // Everything leaves through the runtime's own egress proxy credential.
    expect(printed).toMatch(
      new RegExp(`^HTTPS_PROXY=http://${runtime!.id}:[^@\\s]+@127\\.0\\.0\\.1:\\d+$`, "m"),
    );
    for (const line of [
      `OPENAXON_RUNTIME_ID=${runtime!.id}`,
      `OPENAXON_AXON_ID=${axonId}`,
      "MODEL=m1",
      "TEAM=t1",
      "LANG=C.UTF-8",
    ]) {
      expect(printed).toContain(line);
    }
    expect(printed).toMatch(/^PATH=/m);
  });

  it("stops every agent on a graceful shutdown and brings the runtime back running", async () => {
    let { axons, runtimes } = await start(UNSANDBOXED);
    const a = (await axons.createAxon({})).axon!.id;
    const rt = (
      await runtimes.createRuntime({
        mounts: [
          {
            axonId: a,
            protocol: AgentProtocol.STDIO,
            agentBinary: "sh",
            launchArgs: ["--jsonl", "-c", JSONL_AGENT],
          },
        ],
      })
    ).runtime!;
    const first = await say(axons, a, "hi");
    await reply(axons, a, first);
    const pids = await readPids(rt.workingDirectory);

    const exit = await axond!.stop("SIGTERM");
    expect(exit.code).toBe(0);
    expect(pids.filter(isRunning)).toEqual([]);

    ({ axons, runtimes } = await start(UNSANDBOXED));
    await waitForStatus(runtimes, rt.id, RuntimeStatus.RUNNING);
    const second = await say(axons, a, "again");
    expect((await reply(axons, a, second)).text).toBe("echo: again");
  });
});
