// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${GWS_…} references in runtime env are the feature.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  bundledClaudeCode,
  type ClaudeCodeTestHome,
  claudeCodeTestHome,
  FakeAnthropicServer,
  textReply,
} from "@openaxon/fake-anthropic";
import { AgentProtocol, AuthMechanismType, RuntimeStatus, Sandbox } from "@openaxon/protocol";
import { detectSandbox } from "@openaxon/runtime";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readAll } from "./support/axon-client.js";
import { type AxondProcess, startAxondProcess } from "./support/axond-process.js";
import {
  countFiles,
  filesContaining,
  payloadOf,
  processesOf,
  reply,
  say,
  serviceClients,
} from "./support/gateway-e2e.js";

// Checklist 12 end to end: axond (child process) → runtime (in bubblewrap when available) →
// claude-code-acp 0.16.2 → credential gateway → a fake Anthropic API that accepts only the real
// key. The turn completes, the upstream saw the real key, and the key appears nowhere the agent or
// anyone reading the server can look: the agent's environ and cmdline, its workdir and HOME, the
// data dir, axond's logs, the RPC answers, every axon event.

const AGENT_TIMEOUT = 120_000;
const bubblewrap = (await detectSandbox()).kind === "bubblewrap";

let dataDir: string;
let secret: string;
let fake: FakeAnthropicServer;
let home: ClaudeCodeTestHome;
let axond: AxondProcess | undefined;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "axond-acp-gateway-"));
  secret = `sk-ant-api03-${randomBytes(24).toString("hex")}`;
  fake = await FakeAnthropicServer.start({ requiredApiKey: secret });
  // HOME and CLAUDE_CONFIG_DIR only: the key and the API's address come from the binding.
  home = await claudeCodeTestHome("http://unused.invalid", "sk-unused-placeholder");
});
afterEach(async () => {
  await axond?.stop("SIGKILL");
  axond = undefined;
  await fake.close();
  await home.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

describe.skipIf(process.platform !== "linux")("claude-code-acp bound through the credential gateway", () => {
  it(
    "completes a turn with the real key injected upstream; the key appears in none of the agent's or the server's places",
    async () => {
      axond = await startAxondProcess({ args: ["--listen", "127.0.0.1:0", "--data-dir", dataDir] });
      const { axons, runtimes, secrets, gateways } = serviceClients(axond.url);

      const created = await secrets.createSecret({ name: "anthropic", value: secret });
      const config = await gateways.createGatewayConfig({
        name: "anthropic",
        endpoint: fake.url,
        authMechanism: { type: AuthMechanismType.HEADER, key: "x-api-key" },
      });
      const axonId = (await axons.createAxon({ name: "claude" })).axon!.id;
      const { ANTHROPIC_BASE_URL: _url, ANTHROPIC_API_KEY: _key, ...claudeEnv } = home.env;
      const { runtime } = await runtimes.createRuntime({
        name: "claude",
        mounts: [
          {
            axonId,
            protocol: AgentProtocol.ACP,
            agentBinary: bundledClaudeCode().acpAgentBinary,
            env: {
              ...claudeEnv,
              ANTHROPIC_BASE_URL: "${GWS_ANTHROPIC_URL}",
              ANTHROPIC_API_KEY: "${GWS_ANTHROPIC}",
            },
          },
        ],
        gateways: { GWS_ANTHROPIC: { gateway: "anthropic", secret: "anthropic" } },
      });
      const id = runtime!.id;
      expect(runtime).toMatchObject({
        status: RuntimeStatus.RUNNING,
        gateways: { GWS_ANTHROPIC: { gateway: config.gatewayConfig!.id, secret: created.secret!.id } },
        sandbox: bubblewrap ? Sandbox.BUBBLEWRAP : Sandbox.NONE,
      });

      fake.enqueue(textReply("The gateway works."));
      const turn = await reply(axons, axonId, await say(axons, axonId, "Say something"), 60_000);
      expect(payloadOf(turn.end)).toMatchObject({ stop_reason: "end_turn" });
      expect(turn.text).toBe("The gateway works.");

      // The upstream got the real key on every request (it answers 401 otherwise).
      const upstream = fake.requests.filter((r) => r.kind !== "rejected");
      expect(fake.mainRequests().length).toBeGreaterThan(0);
      expect(upstream.every((r) => r.headers["x-api-key"] === secret)).toBe(true);
      expect(fake.requests.filter((r) => r.kind === "rejected")).toEqual([]);

      // The agent's processes (in the sandbox: bwrap, the bridge, socat, node) hold the token where
      // the key would be, never the key: environ and cmdline.
      const processes = processesOf(id);
      expect(processes.map((p) => p.comm)).toContain(bubblewrap ? "bwrap" : "node");
      for (const process of processes) {
        expect(process.environ, `${process.pid} ${process.comm} environ`).not.toContain(secret);
        expect(process.cmdline, `${process.pid} ${process.comm} cmdline`).not.toContain(secret);
      }
      const agentEnv = processes.find((p) => p.environ.includes("ANTHROPIC_API_KEY="))!.environ.split("\0");
      expect(agentEnv.find((v) => v.startsWith("ANTHROPIC_API_KEY="))).toMatch(/^ANTHROPIC_API_KEY=gws_/);
      expect(agentEnv.find((v) => v.startsWith("ANTHROPIC_BASE_URL="))).toMatch(
        bubblewrap ? /^ANTHROPIC_BASE_URL=http:\/\/127\.0\.0\.1:3129\/b\/gwb_/ : /\/b\/gwb_/,
      );

      // Files: the agent's workdir and HOME (Claude Code's config, transcripts), the whole data
      // dir (store, key file, runtimes).
      expect(await countFiles(home.home)).toBeGreaterThan(0);
      expect(await countFiles(dataDir)).toBeGreaterThan(0);
      expect(await filesContaining(runtime!.workingDirectory, secret)).toEqual([]);
      expect(await filesContaining(home.home, secret)).toEqual([]);
      expect(await filesContaining(dataDir, secret)).toEqual([]);

      // Every axon event, and what the API says about the runtime and the secret.
      const events = await readAll(axons, axonId);
      expect(
        events.some((e) => e.eventType === "gateway.allowed" && payloadOf(e).binding === "GWS_ANTHROPIC"),
      ).toBe(true);
      expect(JSON.stringify(events.map((e) => [e.eventType, e.payload, e.source]))).not.toContain(secret);
      expect(
        JSON.stringify(await runtimes.getRuntime({ id }), (_k, v) => (typeof v === "bigint" ? `${v}` : v)),
      ).not.toContain(secret);
      expect(
        JSON.stringify(await secrets.listSecrets({}), (_k, v) => (typeof v === "bigint" ? `${v}` : v)),
      ).not.toContain(secret);

      // axond's logs, through a graceful shutdown.
      const exit = await axond.stop("SIGTERM");
      axond = undefined;
      expect(exit.code).toBe(0);
      expect(exit.stderr).toContain("secret key loaded");
      expect(exit.stderr).not.toContain(secret);
      expect(exit.stdout).not.toContain(secret);
    },
    AGENT_TIMEOUT,
  );
});
