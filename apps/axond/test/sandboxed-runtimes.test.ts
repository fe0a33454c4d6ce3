import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentProtocol, Origin, RuntimeStatus, Sandbox, SandboxPolicy } from "@openaxon/protocol";
import { detectSandbox } from "@openaxon/runtime";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { readAll } from "./support/axon-client.js";
import { type AxondProcess, startAxondProcess } from "./support/axond-process.js";
import { payloadOf, processesOf, reply, say, serviceClients, startFakeHost } from "./support/gateway-e2e.js";

// A real axond (child process) running stdio agents in bubblewrap: curl through the runtime's
// egress proxy reaches what the network policy allows and nothing else, there is no way around the
// proxy, the data dir is out of sight, the axon holds the audit trail, and a SIGKILLed axond still
// leaves no sandbox behind.

const sandbox = await detectSandbox();
const skipReason = sandbox.kind === "none" ? ` — skipped: ${sandbox.reason}` : "";

/**
 * One curl per destination, printing `<label>=<HTTP status> exit=<curl exit code>`. The fake
 * "remote" hosts live on loopback, which NO_PROXY lists (for the gateway URLs), so `--noproxy ''`
 * makes curl use the proxy from the environment for them anyway; `direct` bypasses the proxy.
 */
const CURL_AGENT = `
probe() {
  label=$1; shift
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@")
  echo "$label=$code exit=$?"
}
probe allowed --noproxy '' "$ALLOWED_URL/allowed"
probe tunnel --noproxy '' --proxytunnel "$ALLOWED_URL/tunnel"
probe denied --noproxy '' "$DENIED_URL/denied"
probe direct --noproxy '*' "$ALLOWED_URL/direct"
if [ -e "$DATA_DIR/secret.key" ] || [ -e "$DATA_DIR/store" ]; then echo "data=visible"; else echo "data=hidden"; fi
echo made > made-in-sandbox.txt && echo "workdir=writable"
`;

/** A jsonl agent that stays up between turns, with a child of its own, for the reaper test. */
const IDLE_JSONL_AGENT = `
sleep 1000 &
while IFS= read -r line; do
  case "$line" in
    *'"type":"start"'*) printf '{"type":"session","session_id":"s-%s"}\\n' "$$" ;;
    *'"type":"prompt"'*) printf '{"type":"message_chunk","text":"up"}\\n{"type":"completed","stop_reason":"end_turn"}\\n' ;;
  esac
done
`;

let dataDir: string;
let axond: AxondProcess | undefined;
const hosts: Awaited<ReturnType<typeof startFakeHost>>[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "axond-sandbox-"));
});
afterEach(async () => {
  await axond?.stop("SIGKILL");
  axond = undefined;
  for (const host of hosts.splice(0)) await host.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function start() {
  axond = await startAxondProcess({
    args: ["--listen", "127.0.0.1:0", "--data-dir", dataDir, "--sandbox", "required"],
  });
  return serviceClients(axond.url);
}

describe.skipIf(process.platform !== "linux" || sandbox.kind === "none")(
  `sandboxed runtimes in axond${skipReason}`,
  () => {
    it("curl in the sandbox reaches the allowed host through the proxy, not the denied one, never directly; the axon holds the audit trail", async () => {
      const allowed = await startFakeHost("allowed");
      const denied = await startFakeHost("denied");
      hosts.push(allowed, denied);
      const { axons, runtimes, policies } = await start();
      const { policy } = await policies.createNetworkPolicy({
        name: "allowed-host-only",
        egress: { allowedCidrs: [{ cidr: "127.0.0.1/32", ports: [{ start: allowed.port }] }] },
      });
      const axonId = (await axons.createAxon({ name: "curl" })).axon!.id;
      const { runtime } = await runtimes.createRuntime({
        name: "curl",
        mounts: [
          { axonId, protocol: AgentProtocol.STDIO, agentBinary: "sh", launchArgs: ["-c", CURL_AGENT] },
        ],
        env: { ALLOWED_URL: allowed.url, DENIED_URL: denied.url, DATA_DIR: dataDir },
        networkPolicyId: "allowed-host-only",
        sandboxPolicy: SandboxPolicy.REQUIRED,
      });
      expect(runtime).toMatchObject({
        status: RuntimeStatus.RUNNING,
        networkPolicyId: policy!.id,
        sandboxPolicy: SandboxPolicy.REQUIRED,
        sandbox: Sandbox.BUBBLEWRAP,
      });

      const turn = await reply(axons, axonId, await say(axons, axonId, "probe the network"));
      expect(payloadOf(turn.end)).toMatchObject({ stop_reason: "end_turn" });
      const lines = turn.text.trim().split("\n");
      expect(lines).toEqual([
        "allowed=200 exit=0",
        "tunnel=200 exit=0",
        "denied=403 exit=0",
        // Connection refused: inside the sandbox nothing listens on loopback but the bridges.
        "direct=000 exit=7",
        "data=hidden",
        "workdir=writable",
      ]);
      expect(allowed.requests.map((r) => r.url)).toEqual(["/allowed", "/tunnel"]);
      expect(denied.requests).toEqual([]);
      // The proxy never passes its credential on.
      expect(allowed.requests.every((r) => r.headers["proxy-authorization"] === undefined)).toBe(true);

      // The audit trail: SYSTEM events from the gateway, in the runtime's axon.
      await vi.waitFor(
        async () => {
          const count = (await readAll(axons, axonId)).filter((e) =>
            e.eventType.startsWith("gateway."),
          ).length;
          if (count < 3) throw new Error(`${count} audit events so far`);
        },
        { timeout: 10_000, interval: 100 },
      );
      const audit = (await readAll(axons, axonId)).filter((e) => e.eventType.startsWith("gateway."));
      expect(audit.every((e) => e.origin === Origin.SYSTEM_EVENT && e.source === "gateway")).toBe(true);
      expect(audit.map((e) => [e.eventType, payloadOf(e)])).toEqual([
        [
          "gateway.allowed",
          expect.objectContaining({
            runtime_id: runtime!.id,
            host: "127.0.0.1",
            port: allowed.port,
            rule: "cidr:127.0.0.1/32",
            via: "egress-proxy",
          }),
        ],
        [
          "gateway.allowed",
          expect.objectContaining({ runtime_id: runtime!.id, port: allowed.port, rule: "cidr:127.0.0.1/32" }),
        ],
        [
          "gateway.denied",
          expect.objectContaining({
            runtime_id: runtime!.id,
            host: "127.0.0.1",
            port: denied.port,
            reason: expect.any(String),
            via: "egress-proxy",
          }),
        ],
      ]);
    });

    it("a SIGKILLed axond leaves no sandboxed process behind: bwrap, the bridges and the agent carry the reaper's marker", async () => {
      const { axons, runtimes } = await start();
      const axonId = (await axons.createAxon({})).axon!.id;
      const { runtime } = await runtimes.createRuntime({
        mounts: [
          {
            axonId,
            protocol: AgentProtocol.STDIO,
            agentBinary: "sh",
            launchArgs: ["--jsonl", "-c", IDLE_JSONL_AGENT],
          },
        ],
      });
      expect(runtime!.sandbox).toBe(Sandbox.BUBBLEWRAP);
      expect((await reply(axons, axonId, await say(axons, axonId, "are you up?"))).text).toBe("up");

      const marked = processesOf(runtime!.id);
      const names = new Set(marked.map((p) => p.comm));
      for (const name of ["bwrap", "socat", "sh", "sleep"])
        expect(names, [...names].join(", ")).toContain(name);

      await axond!.stop("SIGKILL");
      await vi.waitFor(
        () => {
          const alive = processesOf(runtime!.id);
          if (alive.length > 0)
            throw new Error(`still running: ${alive.map((p) => `${p.pid} ${p.comm}`).join(", ")}`);
        },
        { timeout: 10_000, interval: 50 },
      );
    });
  },
);
