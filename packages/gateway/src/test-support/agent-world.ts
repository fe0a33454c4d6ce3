import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemRng } from "@openaxon/core";
import { ManualClock } from "@openaxon/core/testing";
import {
  agentNetworkEnv,
  createAuditLimiter,
  type GatewayAuditEvent,
  loadOrCreateKey,
  SecretBox,
  startCredentialGateway,
  startEgressProxy,
  withoutServerSecrets,
} from "@openaxon/gateway";
import { AuthMechanismType } from "@openaxon/protocol";
import { endpoint, memoryLogger, SECRET } from "./gateway-harness.js";
import { TableResolver } from "./network-doubles.js";
import { startFakeUpstream } from "./servers.js";

/**
 * Everything a runtime integration sets up around one agent, on loopback and Unix sockets only:
 * a data dir with the secret key and a sealed secret, a fake LLM upstream that accepts only the
 * real key (and echoes the request back), an allowed and a denied fake host, the egress proxy and
 * the credential gateway, both also listening on Unix sockets for a sandbox bridge.
 */
export async function startAgentWorld() {
  const dataDir = await mkdtemp(join(tmpdir(), "oa-e2e-"));
  const workdir = join(dataDir, "runtimes", "rt_e2e", "work");
  const runDir = join(dataDir, "run");
  await mkdir(workdir, { recursive: true });
  await mkdir(runDir, { recursive: true });

  const { key } = await loadOrCreateKey({ dataDir, env: {}, rng: systemRng });
  const keyBase64 = Buffer.from(key).toString("base64");
  const box = new SecretBox(key, systemRng);
  await writeFile(join(dataDir, "secrets.json"), JSON.stringify({ sec_1: box.seal(SECRET, "sec_1") }));

  const llm = await startFakeUpstream((req, res) => {
    if (req.headers["x-api-key"] !== SECRET) return void res.writeHead(401).end('{"error":"bad key"}');
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ ok: true, echo: req.headers }));
  });
  const allowed = await startFakeUpstream((_req, res) => res.end("allowed host says hi"));
  const denied = await startFakeUpstream((_req, res) => res.end("denied host reached!"));

  const clock = new ManualClock();
  const events: GatewayAuditEvent[] = [];
  const auditLimiter = createAuditLimiter((event) => events.push(event), { clock, burst: 10_000 });
  const logger = memoryLogger();
  const proxy = await startEgressProxy({
    resolver: new TableResolver({ "allowed.test": ["127.0.0.1"], "denied.test": ["127.0.0.1"] }),
    unixSocketPath: join(runDir, "proxy.sock"),
    auditLimiter,
    clock,
    rng: systemRng,
    logger,
    hostAddresses: () => [],
  });
  const gateway = await startCredentialGateway({
    unixSocketPath: join(runDir, "gateway.sock"),
    auditLimiter,
    clock,
    rng: systemRng,
    logger,
  });
  proxy.setAgentGatewayListeners(gateway.listeners());
  const access = proxy.registerRuntime({
    runtimeId: "rt_e2e",
    policy: {
      allowAll: false,
      allowedHostnames: [],
      allowedCidrs: [{ cidr: "127.0.0.1/32", ports: [{ start: allowed.port, end: allowed.port }] }],
      allowAgentGateway: true,
    },
  });
  const binding = gateway.registerBinding({
    runtimeId: "rt_e2e",
    prefix: "GWS_ANTHROPIC",
    gateway: endpoint(`http://127.0.0.1:${llm.port}`, {
      authMechanism: { type: AuthMechanismType.HEADER, key: "x-api-key" },
    }),
    secret: SECRET,
  });

  /** The agent's env as a runtime builds it, from a server env that holds the secret-store key. */
  const agentEnv = (proxyHostPort: string, gatewayHostPort: string) => ({
    ...withoutServerSecrets({ ...process.env, OPENAXON_SECRET_KEY: keyBase64 }),
    ...agentNetworkEnv({
      proxyUrl: access.proxyUrl(proxyHostPort),
      bindings: [{ prefix: binding.prefix, url: binding.url(gatewayHostPort), token: binding.token }],
    }),
    ALLOWED_PORT: String(allowed.port),
    DENIED_PORT: String(denied.port),
    DATA_DIR: dataDir,
  });

  return {
    dataDir,
    workdir,
    keyBase64,
    llm,
    allowed,
    denied,
    proxy,
    gateway,
    access,
    binding,
    events,
    logger,
    agentEnv,
    async close() {
      await proxy.close();
      await gateway.close();
      await Promise.all([llm.close(), allowed.close(), denied.close()]);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** What the agent script records; every line is `name=value`. */
export const AGENT_SCRIPT = `
env > env.txt
tr '\\0' '\\n' < /proc/self/environ > environ.txt
tr '\\0' ' ' < /proc/$$/cmdline > cmdline.txt
for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < "$f" 2>/dev/null; echo; done > all-cmdlines.txt
r() { echo "$1=$2" >> results.txt; }
r llm "$(curl -sS --max-time 10 -o llm.txt -w '%{http_code}' -H "x-api-key: $GWS_ANTHROPIC" -H 'content-type: application/json' -d '{"model":"m"}' "$GWS_ANTHROPIC_URL/v1/messages")"
r allowed "$(curl -sS --max-time 10 -o allowed.txt -w '%{http_code}' "http://allowed.test:$ALLOWED_PORT/")"
r allowed_connect "$(curl -sS --max-time 10 -p -o /dev/null -w '%{http_code}' "http://allowed.test:$ALLOWED_PORT/")"
r denied "$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' "http://denied.test:$DENIED_PORT/")"
curl -sS --max-time 5 --noproxy '*' -o direct.txt "http://127.0.0.1:$ALLOWED_PORT/" 2>/dev/null; r direct_exit "$?"
cat "$DATA_DIR/secret.key" > stolen-key.txt 2>/dev/null; r read_key_exit "$?"
cat "$DATA_DIR/secrets.json" > stolen-store.txt 2>/dev/null; r read_store_exit "$?"
touch /usr/openaxon-escape 2>/dev/null; r write_root_exit "$?"
r route_lines "$(grep -vc Iface /proc/net/route)"
echo done
`;

export interface AgentRun {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly results: Record<string, string>;
}

export function runAgent(
  file: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<AgentRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("error", reject);
    child.on("close", async (exitCode) => {
      const text = await readFile(join(cwd, "results.txt"), "utf8").catch(() => "");
      const results = Object.fromEntries(
        text
          .trim()
          .split("\n")
          .filter(Boolean)
          .map((l) => l.split("=", 2) as [string, string]),
      );
      resolve({ exitCode, stdout, stderr, results });
    });
  });
}

/** Every regular file under `dir`, as raw bytes. */
export async function filesUnder(dir: string): Promise<Array<{ path: string; content: Buffer }>> {
  const out: Array<{ path: string; content: Buffer }> = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.push({ path, content: await readFile(path) });
  }
  return out;
}
