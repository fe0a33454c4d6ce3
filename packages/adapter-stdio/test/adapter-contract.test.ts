import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describeAdapterContract, type ScriptedModel } from "@openaxon/broker/test-support";
import { JsonlStdioAdapter } from "../src/index.js";

// The jsonl mode against a scripted-model agent (test/fixtures/scripted-model-agent.mjs), through
// the contract the ACP and Claude Code adapters pass. The per-turn mode keeps no session and asks
// no permission, so the contract does not apply to it; its own tests cover it.
const agentScript = fileURLToPath(new URL("./fixtures/scripted-model-agent.mjs", import.meta.url));
const API_KEY = "model-key-for-tests";

const numbered = (n: number) => `${String(n).padStart(4, "0")}.json`;

/** The agent's model: reply files it reads in order, request files it writes in order (sync: tiny). */
function modelDirectory(dir: string): ScriptedModel {
  for (const sub of ["replies", "requests", "sessions"]) mkdirSync(join(dir, sub));
  let replies = 0;
  const enqueue = (reply: object) =>
    writeFileSync(join(dir, "replies", numbered(replies++)), JSON.stringify(reply));
  const request = (index: number) => {
    const n = index >= 0 ? index : readdirSync(join(dir, "requests")).length + index;
    return JSON.parse(readFileSync(join(dir, "requests", numbered(n)), "utf8")) as {
      key: string;
      seen: string;
    };
  };
  return {
    say: (chunks, delayMs) => enqueue({ type: "text", chunks, delayMs }),
    runShell: (command, description, then) => {
      enqueue({ type: "shell", command, description });
      if (then !== undefined) enqueue({ type: "text", chunks: [then] });
    },
    fail: (message) => enqueue({ type: "error", message }),
    seen: (index = -1) => request(index).seen,
    credentialSeen: () => request(0).key,
    expectedCredential: API_KEY,
    // The agent appends each message to its session file before it answers.
    persisted: async () => {},
  };
}

describeAdapterContract(
  "JsonlStdioAdapter with a scripted-model agent",
  async () => {
    const modelDir = mkdtempSync(join(tmpdir(), "openaxon-stdio-model-"));
    const cwd = mkdtempSync(join(tmpdir(), "openaxon-stdio-cwd-"));
    const adapter = new JsonlStdioAdapter({
      agentBinary: process.execPath,
      launchArgs: [agentScript],
      terminateGraceMs: 500,
    });
    return {
      adapter,
      launch: {
        cwd,
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", MODEL_DIR: modelDir, MODEL_API_KEY: API_KEY },
      },
      model: modelDirectory(modelDir),
      async close() {
        await adapter.stop();
        rmSync(modelDir, { recursive: true, force: true });
        rmSync(cwd, { recursive: true, force: true });
      },
    };
  },
  { resumedAs: "resume", apiError: /API Error: 400 max_tokens: bogus value/, timeoutMs: 30_000 },
);
