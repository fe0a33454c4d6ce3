import { type RealServer, startRealServer } from "@openaxon/client/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AxonRun, jsonLines, runAxon } from "./support/run-axon.js";

// `axon secret|policy|gateway` as a child process against a real server with the gateway registry.

const SECRET = "sk-cli-test-value-never-printed-7d1e";

let real: RealServer;
let env: Record<string, string>;
const outputs: AxonRun[] = [];

async function axon(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}) {
  const run = await runAxon(args, { env: { ...env, ...options.env }, stdin: options.stdin });
  outputs.push(run);
  return run;
}

beforeAll(async () => {
  real = await startRealServer({ gateway: true });
  env = { OPENAXON_URL: real.url };
});

afterAll(async () => {
  await real.close();
});

describe("axon secret", () => {
  it("stores a value from stdin or an env var, lists names only, and never prints the value", async () => {
    const created = await axon(["secret", "create", "anthropic-key"], { stdin: `${SECRET}\n` });
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout.trim()).toMatch(/^sec_[0-9a-z]{26}$/);
    const fromEnv = await axon(["--json", "secret", "create", "from-env", "--from-env", "MY_KEY"], {
      env: { MY_KEY: `${SECRET}-2` },
    });
    expect(jsonLines(fromEnv.stdout)).toEqual([
      { id: expect.stringMatching(/^sec_/), name: "from-env", createdAtMs: expect.any(Number) },
    ]);

    const listed = await axon(["secret", "list"]);
    expect(listed.stdout).toMatch(/^ID +NAME +CREATED\nsec_\S+ +anthropic-key +\d{4}-.*\nsec_\S+ +from-env /);
    const json = jsonLines<{ name: string }>((await axon(["--json", "secret", "list"])).stdout);
    expect(json.map((secret) => secret.name)).toEqual(["anthropic-key", "from-env"]);

    // A value on the command line is refused without being echoed.
    const onArgv = await axon(["secret", "create", "leaky", SECRET]);
    expect(onArgv.code).toBe(2);
    expect(onArgv.stderr).toMatch(/never taken from the command line/);
    expect((await axon(["secret", "create", "empty"], { stdin: "" })).code).toBe(2);
    const duplicate = await axon(["secret", "create", "anthropic-key"], { stdin: SECRET });
    expect(duplicate).toMatchObject({ code: 1 });
    expect(duplicate.stderr).toMatch(/already exists/);

    expect((await axon(["secret", "delete", "from-env"])).stdout).toBe("deleted secret from-env\n");
    expect(jsonLines((await axon(["--json", "secret", "list"])).stdout)).toHaveLength(1);

    for (const run of outputs) {
      expect(run.stdout).not.toContain(SECRET);
      expect(run.stderr).not.toContain(SECRET);
    }
  });
});

describe("axon policy", () => {
  it("creates, lists, gets, updates and deletes network policies", async () => {
    const created = await axon([
      "--json",
      "policy",
      "create",
      "github",
      "--allow-host",
      "*.GitHub.com",
      "--allow-host",
      "github.com",
      "--allow-cidr",
      "10.0.0.0/8:443,8000-8080",
      "--allow-agent-gateway",
      "--description",
      "GitHub only",
    ]);
    expect(created.code, created.stderr).toBe(0);
    const [policy] = jsonLines<{ id: string }>(created.stdout);
    expect(policy).toMatchObject({
      id: expect.stringMatching(/^np_/),
      name: "github",
      description: "GitHub only",
      egress: {
        allowAll: false,
        allowedHostnames: ["*.github.com", "github.com"],
        allowedCidrs: [
          {
            cidr: "10.0.0.0/8",
            ports: [
              { start: 443, end: 443 },
              { start: 8000, end: 8080 },
            ],
          },
        ],
        allowAgentGateway: true,
      },
    });

    const list = await axon(["policy", "list"]);
    expect(list.stdout).toMatch(
      /^np_\S+ +github +\*\.github\.com, github\.com, 10\.0\.0\.0\/8:443,8000-8080, agent gateway +GitHub only$/m,
    );
    expect((await axon(["policy", "get", "github"])).stdout).toMatch(
      /^hosts +\*\.github\.com, github\.com$/m,
    );

    const renamed = await axon(["--json", "policy", "update", "github", "--name", "gh"]);
    expect(jsonLines(renamed.stdout)[0]).toMatchObject({
      name: "gh",
      egress: { allowedHostnames: ["*.github.com", "github.com"] },
    });
    const replaced = await axon(["--json", "policy", "update", "gh", "--allow-all"]);
    expect(jsonLines(replaced.stdout)[0]).toMatchObject({
      egress: { allowAll: true, allowedHostnames: [], allowedCidrs: [], allowAgentGateway: false },
    });

    const invalid = await axon(["policy", "create", "bad", "--allow-host", "a.*.com"]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/rejected by axond: .*a\.\*\.com/);

    expect((await axon(["policy", "delete", policy!.id])).code).toBe(0);
    expect((await axon(["policy", "get", "gh"])).code).toBe(1);
  });
});

describe("axon gateway", () => {
  it("creates, lists, gets and deletes gateway configs", async () => {
    const created = await axon([
      "gateway",
      "create",
      "anthropic",
      "--endpoint",
      "https://api.anthropic.com/",
      "--auth",
      "header:x-api-key",
      "--header",
      "anthropic-version=2023-06-01",
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout.trim()).toMatch(/^gwc_/);
    expect(
      (await axon(["gateway", "create", "gh", "--endpoint", "https://api.github.com", "--auth", "bearer"]))
        .code,
    ).toBe(0);

    const listed = await axon(["gateway", "list"]);
    expect(listed.stdout).toMatch(/^gwc_\S+ +anthropic +https:\/\/api\.anthropic\.com +header:x-api-key$/m);
    expect(listed.stdout).toMatch(/^gwc_\S+ +gh +https:\/\/api\.github\.com +bearer$/m);
    const [config] = jsonLines((await axon(["--json", "gateway", "get", "anthropic"])).stdout);
    expect(config).toMatchObject({
      name: "anthropic",
      endpoint: "https://api.anthropic.com",
      auth: { type: "header", key: "x-api-key" },
      customHeaders: { "anthropic-version": "2023-06-01" },
    });

    const badAuth = await axon(["gateway", "create", "x", "--endpoint", "https://x.test", "--auth", "basic"]);
    expect(badAuth.code).toBe(2);
    expect(badAuth.stderr).toMatch(/--auth takes header:NAME/);

    expect((await axon(["gateway", "delete", "gh"])).stdout).toBe("deleted gateway gh\n");
    expect(jsonLines((await axon(["--json", "gateway", "list"])).stdout)).toHaveLength(1);
  });

  it("says when a server does not serve the gateway API", async () => {
    const plain = await startRealServer();
    try {
      const run = await runAxon(["secret", "list"], { env: { OPENAXON_URL: plain.url } });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/does not serve SecretService/);
    } finally {
      await plain.close();
    }
  });
});
