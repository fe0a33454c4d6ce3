import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type RealServer, startRealServer } from "@openaxon/client/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAxon } from "./support/run-axon.js";

// Issue 14 item 5 from the command line: `axon runtime create --before-suspend/--after-resume`
// against a real server; the hooks are real processes in the runtime's working dir.

let real: RealServer;
let env: Record<string, string>;

beforeAll(async () => {
  real = await startRealServer({ runtimes: true });
  env = { OPENAXON_URL: real.url };
});

afterAll(async () => {
  await real.close();
});

describe("axon runtime create with lifecycle hooks", () => {
  it("runs --before-suspend on suspend and --after-resume on the wake; chat and tail show the events", async () => {
    const axonId = (await runAxon(["create"], { env })).stdout.trim();
    const create = await runAxon(
      [
        ...["runtime", "create", "--axon", axonId, "--protocol", "stdio", "--agent", "cat"],
        ...["--before-suspend", `sh -c 'echo "suspended $OPENAXON_RUNTIME_ID" > hook.txt'`],
        ...["--after-resume", "sh -c 'echo resumed >> hook.txt; exit 3'", "--hook-deadline", "20s"],
      ],
      { env },
    );
    expect(create, create.stderr).toMatchObject({ code: 0 });
    const runtimeId = create.stdout.trim();

    const get = await runAxon(["runtime", "get", runtimeId], { env });
    expect(get.stdout).toMatch(
      /before suspend\s+sh -c echo "suspended \$OPENAXON_RUNTIME_ID" > hook\.txt {2}\(deadline 20s\)/,
    );
    expect(get.stdout).toMatch(/after resume\s+sh -c echo resumed >> hook\.txt; exit 3/);

    expect(await runAxon(["runtime", "suspend", runtimeId], { env })).toMatchObject({ code: 0 });
    const workdir = JSON.parse((await runAxon(["--json", "runtime", "get", runtimeId], { env })).stdout)
      .workingDirectory as string;
    expect(await readFile(join(workdir, "hook.txt"), "utf8")).toBe(`suspended ${runtimeId}\n`);

    const chat = await runAxon(["chat", axonId, "hello"], { env });
    expect(chat.stdout).toBe("hello\n");
    expect(chat.stderr).toContain("after resume hook sh: exit 3");
    expect(await readFile(join(workdir, "hook.txt"), "utf8")).toBe(`suspended ${runtimeId}\nresumed\n`);

    const tail = await runAxon(["--json", "tail", axonId], { env });
    const hooks = tail.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { eventType: string; payload: Record<string, unknown> })
      .filter((e) => e.eventType === "runtime.hook")
      .map((e) => [e.payload.hook, e.payload.exit_code]);
    expect(hooks).toEqual([
      ["before_suspend", 0],
      ["after_resume", 3],
    ]);
  });

  it("axon runtime update sets and clears hooks, keeping the idle settings", async () => {
    const axonId = (await runAxon(["create"], { env })).stdout.trim();
    const runtimeId = (
      await runAxon(
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
          "300",
        ],
        { env },
      )
    ).stdout.trim();
    const set = await runAxon(
      ["runtime", "update", runtimeId, "--after-resume", "echo warm", "--hook-deadline", "2s"],
      { env },
    );
    expect(set, set.stderr).toMatchObject({ code: 0 });
    const read = async () =>
      JSON.parse((await runAxon(["--json", "runtime", "get", runtimeId], { env })).stdout).lifecycle;
    expect(await read()).toEqual({
      idleTimeSeconds: 300,
      onIdle: "suspend",
      resumeOnEvent: true,
      afterResume: { command: ["echo", "warm"], deadlineMs: 2000 },
    });
    expect(await runAxon(["runtime", "update", runtimeId, "--clear-after-resume"], { env })).toMatchObject({
      code: 0,
    });
    expect(await read()).toEqual({ idleTimeSeconds: 300, onIdle: "suspend", resumeOnEvent: true });
  });

  it("refuses a bad --hook-deadline or an empty hook before calling the server", async () => {
    const long = await runAxon(
      [
        "runtime",
        "create",
        "--axon",
        "axn_x",
        "--protocol",
        "stdio",
        "--agent",
        "cat",
        "--before-suspend",
        "true",
        "--hook-deadline",
        "11m",
      ],
      { env },
    );
    expect(long.code).not.toBe(0);
    expect(long.stderr).toMatch(/--hook-deadline takes a duration from 1ms to 10m/);
    const empty = await runAxon(
      [
        "runtime",
        "create",
        "--axon",
        "axn_x",
        "--protocol",
        "stdio",
        "--agent",
        "cat",
        "--after-resume",
        " ",
      ],
      { env },
    );
    expect(empty.code).not.toBe(0);
    expect(empty.stderr).toMatch(/--after-resume needs a command/);
  });
});
