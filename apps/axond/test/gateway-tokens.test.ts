import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentProtocol, AuthMechanismType, RuntimeStatus, Sandbox } from "@openaxon/protocol";
import { detectSandbox } from "@openaxon/runtime";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { readAll } from "./support/axon-client.js";
import { type AxondProcess, startAxondProcess } from "./support/axond-process.js";
import { getStatus, payloadOf, reply, say, serviceClients, startFakeHost } from "./support/gateway-e2e.js";

// Gateway tokens through a real runtime (axond child process; sandboxed when bubblewrap is there):
// an agent holding two bindings cannot launder binding A's token through binding B, and once the
// runtime is shut down its tokens are worthless — each refusal audited in the runtime's axon.

const bubblewrap = (await detectSandbox()).kind === "bubblewrap";

const SECRET_A = "sk-binding-a-0123456789abcdef";
const SECRET_B = "sk-binding-b-0123456789abcdef";

/** Uses A's token at A (fine) and at B (laundering), and leaves A's URL and token for the test. */
const AGENT = `
printf '%s\\n%s\\n' "$GWS_A_URL" "$GWS_A" > binding-a.txt
own=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "x-api-key: $GWS_A" "$GWS_A_URL/v1/own")
laundered=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "x-api-key: $GWS_A" "$GWS_B_URL/v1/laundered")
echo "own=$own laundered=$laundered"
`;

let dataDir: string;
let axond: AxondProcess | undefined;
const hosts: Awaited<ReturnType<typeof startFakeHost>>[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "axond-tokens-"));
});
afterEach(async () => {
  await axond?.stop("SIGKILL");
  axond = undefined;
  for (const host of hosts.splice(0)) await host.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe.skipIf(process.platform !== "linux")("gateway tokens through a runtime", () => {
  it.each(["auto", "off"])(
    "refuses binding A's token at binding B's URL and every token of a shut-down runtime, with audit events (--sandbox %s)",
    async (mode) => {
      const upstreamA = await startFakeHost("a");
      const upstreamB = await startFakeHost("b");
      hosts.push(upstreamA, upstreamB);
      axond = await startAxondProcess({
        args: ["--listen", "127.0.0.1:0", "--data-dir", dataDir, "--sandbox", mode],
      });
      const { axons, runtimes, secrets, gateways } = serviceClients(axond.url);
      for (const [name, value, upstream] of [
        ["a", SECRET_A, upstreamA],
        ["b", SECRET_B, upstreamB],
      ] as const) {
        await secrets.createSecret({ name: `key-${name}`, value });
        await gateways.createGatewayConfig({
          name: `api-${name}`,
          endpoint: upstream.url,
          authMechanism: { type: AuthMechanismType.HEADER, key: "x-api-key" },
        });
      }
      const axonId = (await axons.createAxon({})).axon!.id;
      const { runtime } = await runtimes.createRuntime({
        mounts: [{ axonId, protocol: AgentProtocol.STDIO, agentBinary: "sh", launchArgs: ["-c", AGENT] }],
        gateways: {
          GWS_A: { gateway: "api-a", secret: "key-a" },
          GWS_B: { gateway: "api-b", secret: "key-b" },
        },
      });
      const id = runtime!.id;
      expect(runtime!.sandbox).toBe(mode === "auto" && bubblewrap ? Sandbox.BUBBLEWRAP : Sandbox.NONE);

      const turn = await reply(axons, axonId, await say(axons, axonId, "call both"));
      expect(turn.text.trim()).toBe("own=200 laundered=403");
      expect(upstreamA.requests.map((r) => [r.url, r.headers["x-api-key"]])).toEqual([["/v1/own", SECRET_A]]);
      expect(upstreamB.requests).toEqual([]);

      // The agent's token, as it saw it (a token is not a secret; the file never holds one).
      const [url, token] = (await readFile(join(runtime!.workingDirectory, "binding-a.txt"), "utf8"))
        .trim()
        .split("\n");
      expect(token).toMatch(/^gws_/);
      // Inside a sandbox the URL is the bridge's loopback port; from here, the gateway's Unix socket.
      const socket =
        runtime!.sandbox === Sandbox.BUBBLEWRAP ? join(dataDir, "run", "gateway.sock") : undefined;
      const useToken = () => getStatus(`${url}/v1/after`, { "x-api-key": token! }, socket);
      expect((await useToken()).status).toBe(200);

      expect((await runtimes.shutdownRuntime({ id })).runtime!.status).toBe(RuntimeStatus.SHUTDOWN);
      const refused = await useToken();
      expect(refused.status).toBe(403);
      expect(refused.body).not.toContain(SECRET_A);
      expect(upstreamA.requests.map((r) => r.url)).toEqual(["/v1/own", "/v1/after"]);

      await vi.waitFor(
        async () => {
          const denied = (await readAll(axons, axonId)).filter((e) => e.eventType === "gateway.denied");
          if (denied.length < 2) throw new Error(`${denied.length} denials audited so far`);
        },
        { timeout: 10_000, interval: 100 },
      );
      const events = await readAll(axons, axonId);
      const audit = events
        .filter((e) => e.eventType.startsWith("gateway."))
        .map((e) => [e.eventType, payloadOf(e)]);
      expect(audit).toEqual([
        [
          "gateway.allowed",
          expect.objectContaining({
            runtime_id: id,
            binding: "GWS_A",
            port: upstreamA.port,
            via: "credential-gateway",
          }),
        ],
        [
          "gateway.denied",
          expect.objectContaining({
            runtime_id: id,
            binding: "GWS_B",
            rule: "deny:wrong-binding",
            reason: "token of binding GWS_A presented to binding GWS_B",
          }),
        ],
        ["gateway.allowed", expect.objectContaining({ runtime_id: id, binding: "GWS_A" })],
        [
          "gateway.denied",
          expect.objectContaining({ runtime_id: id, binding: "GWS_A", rule: "deny:revoked" }),
        ],
      ]);
      const everything = JSON.stringify(events.map((e) => e.payload));
      expect(everything).not.toContain(SECRET_A);
      expect(everything).not.toContain(SECRET_B);
    },
  );
});
