import { type RealServer, startRealServer } from "@openaxon/client/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAxon } from "./support/run-axon.js";

// Issue 14 from the command line: the real `axon` bin against a real server whose RuntimeManager
// runs real programs (stdio agents only; MCP servers reaching real agents are tested in
// apps/axond/test/issue-14-mcp-servers.test.ts).

let real: RealServer;
let env: Record<string, string>;

beforeAll(async () => {
  real = await startRealServer({ runtimes: true });
  env = { OPENAXON_URL: real.url };
});

afterAll(async () => {
  await real.close();
});

async function newAxon(): Promise<string> {
  const run = await runAxon(["create"], { env });
  expect(run.code).toBe(0);
  return run.stdout.trim();
}

describe("axon runtime create --model / --mcp-*", () => {
  it("--model reaches a stdio agent as $OPENAXON_MODEL and shows in runtime get", async () => {
    const axonId = await newAxon();
    const create = await runAxon(
      [
        ...["runtime", "create", "--axon", axonId, "--protocol", "stdio", "--agent", "sh"],
        ...["--model", "claude-test-model", "--", "-c", 'cat >/dev/null; printf "%s\\n" "$OPENAXON_MODEL"'],
      ],
      { env },
    );
    expect(create, create.stderr).toMatchObject({ code: 0 });
    const runtimeId = create.stdout.trim();

    expect(await runAxon(["chat", axonId, "which model?"], { env })).toMatchObject({
      code: 0,
      stdout: "claude-test-model\n",
    });
    const get = await runAxon(["runtime", "get", runtimeId], { env });
    expect(get.stdout).toMatch(/mount model\s+claude-test-model/);
    const json = JSON.parse((await runAxon(["--json", "runtime", "get", runtimeId], { env })).stdout);
    expect(json.mounts[0]).toMatchObject({ model: "claude-test-model", mcpServers: [] });
  });

  it("the server's refusal of MCP servers on a stdio mount names the field", async () => {
    const axonId = await newAxon();
    const run = await runAxon(
      [
        ...["runtime", "create", "--axon", axonId, "--protocol", "stdio", "--agent", "cat"],
        ...["--mcp-stdio", "tools=sh -c true", "--mcp-env", "tools:A=1"],
      ],
      { env },
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(
      /mounts\[0\]\.mcp_servers: a stdio agent has no channel to receive MCP servers/,
    );
  });

  it("--mcp-env for a server that was not given is a usage error, before any request", async () => {
    const run = await runAxon(
      ["runtime", "create", "--axon", "axn_x", "--protocol", "acp", "--agent", "a", "--mcp-env", "ghost:A=1"],
      { env },
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/--mcp-env ghost:… names no --mcp-stdio server/);
  });
});
