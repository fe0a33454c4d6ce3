import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { secretForms } from "@openaxon/gateway";
import {
  AGENT_SCRIPT,
  call,
  filesUnder,
  runAgent,
  SECRET,
  startAgentWorld,
} from "@openaxon/gateway/test-support";
import {
  buildSandboxCommand,
  detectSandbox,
  SANDBOX_GATEWAY_PORT,
  SANDBOX_PROXY_PORT,
  type SandboxAvailability,
} from "@openaxon/runtime";
import { afterEach, describe, expect, it } from "vitest";

const sandbox: SandboxAvailability = await detectSandbox();

// Checklist 12: the real secret never appears in the agent's environment, argv,
// /proc/self/environ, files in its workdir, server logs, error messages or any audit event —
// tested by grepping all of them for the secret (and the secret-store key).
describe("checklist 12: the secret never reaches the agent", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function assertNoLeak(
    world: Awaited<ReturnType<typeof startAgentWorld>>,
    run: { stdout: string; stderr: string },
    { sandboxed }: { sandboxed: boolean },
  ) {
    const needles = [...secretForms(SECRET, "x-api-key"), world.keyBase64];
    const places: Array<[string, string | Buffer]> = [
      ["agent stdout", run.stdout],
      ["agent stderr", run.stderr],
      ["server logs", world.logger.lines.join("\n")],
      ["audit events", JSON.stringify(world.events)],
    ];
    for (const file of await filesUnder(world.workdir)) {
      // Unsandboxed, the agent runs as the server's user and can read the key file: the known
      // limitation that `sandbox: required` exists for. Sandboxed, the read fails (asserted above).
      if (!sandboxed && file.path.endsWith("stolen-key.txt")) continue;
      places.push([`workdir ${file.path}`, file.content]);
    }
    // Error messages the agent can provoke.
    const forged = await call(`${world.binding.url()}/v1/messages`, {
      headers: { "x-api-key": "gws_forged" },
    });
    const missing = await call(`${world.binding.url()}/v1/messages`);
    places.push(["403 body", forged.body], ["401 body", missing.body]);
    for (const [place, content] of places) {
      const haystack = Buffer.isBuffer(content) ? content : Buffer.from(content);
      for (const needle of needles)
        expect(haystack.includes(needle), `${place} contains a secret form`).toBe(false);
    }
    // At rest: neither the key file nor the sealed store holds the plaintext secret.
    for (const file of await filesUnder(world.dataDir)) {
      if (file.path.startsWith(world.workdir)) continue;
      expect(file.content.includes(SECRET), file.path).toBe(false);
    }
  }

  it("unsandboxed: the agent works through the gateway with a token, and the secret appears nowhere", async () => {
    const world = await startAgentWorld();
    cleanups.push(world.close);
    const env = world.agentEnv(`127.0.0.1:${world.proxy.port}`, `127.0.0.1:${world.gateway.port}`);
    const run = await runAgent("/bin/sh", ["-c", AGENT_SCRIPT, "agent"], env, world.workdir);
    expect(run.stdout).toContain("done");
    expect(run.results).toMatchObject({ llm: "200", allowed: "200", allowed_connect: "200", denied: "403" });
    // The upstream saw the real key; the agent saw only its token, and a scrubbed echo.
    expect(world.llm.requests.map((r) => r.headers["x-api-key"])).toEqual([SECRET]);
    const llmReply = await readFile(join(world.workdir, "llm.txt"), "utf8");
    expect(JSON.parse(llmReply)).toMatchObject({ ok: true, echo: { "x-api-key": "[redacted]" } });
    expect(await readFile(join(world.workdir, "env.txt"), "utf8")).toContain(
      `GWS_ANTHROPIC=${world.binding.token}`,
    );
    await assertNoLeak(world, run, { sandboxed: false });
  });

  it.skipIf(sandbox.kind === "none")(
    `sandboxed (bubblewrap): same, plus no direct egress and no way to the data dir${sandbox.kind === "none" ? ` — skipped: ${sandbox.reason}` : ""}`,
    async () => {
      if (sandbox.kind === "none") return;
      const world = await startAgentWorld();
      cleanups.push(world.close);
      const env = world.agentEnv(`127.0.0.1:${SANDBOX_PROXY_PORT}`, `127.0.0.1:${SANDBOX_GATEWAY_PORT}`);
      const { file, args } = buildSandboxCommand({
        command: ["/bin/sh", "-c", AGENT_SCRIPT, "agent"],
        workdir: world.workdir,
        bridges: [
          { port: SANDBOX_PROXY_PORT, socketPath: world.proxy.unixSocketPath! },
          { port: SANDBOX_GATEWAY_PORT, socketPath: world.gateway.unixSocketPath! },
        ],
        hiddenPaths: [world.dataDir],
        bwrapPath: sandbox.bwrapPath,
        socatPath: sandbox.socatPath,
      });
      const run = await runAgent(file, args, env, world.workdir);
      expect(run.stdout, run.stderr).toContain("done");
      expect(run.results).toMatchObject({
        // Through the bridged proxy and gateway: allowed works, denied is refused.
        llm: "200",
        allowed: "200",
        allowed_connect: "200",
        denied: "403",
        // Without the proxy there is no way out: loopback inside is the sandbox's own, no routes.
        direct_exit: "7",
        route_lines: "0",
        // The data dir (secret key, sealed secrets) is hidden; the root is read-only.
        read_key_exit: "1",
        read_store_exit: "1",
        write_root_exit: "1",
      });
      expect(world.allowed.requests).toHaveLength(2);
      expect(world.denied.requests).toEqual([]);
      expect(world.llm.requests.map((r) => r.headers["x-api-key"])).toEqual([SECRET]);
      // The agent's processes (socat bridges included) carry no secret in their argv.
      const cmdlines = await readFile(join(world.workdir, "all-cmdlines.txt"), "utf8");
      expect(cmdlines).toContain("socat");
      const audit = world.events.flatMap((e) => (e.eventType === "gateway.suppressed" ? [] : [e]));
      expect(audit.map((e) => [e.eventType, e.payload.via, e.payload.host])).toEqual(
        expect.arrayContaining([
          ["gateway.allowed", "credential-gateway", "127.0.0.1"],
          ["gateway.allowed", "egress-proxy", "allowed.test"],
          ["gateway.denied", "egress-proxy", "denied.test"],
        ]),
      );
      await assertNoLeak(world, run, { sandboxed: true });
    },
  );
});
