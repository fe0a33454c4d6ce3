import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AgentLaunch } from "@openaxon/broker";
import {
  type AdapterContractSubject,
  AdapterDriver,
  type ScriptedModel,
} from "@openaxon/broker/test-support";
import {
  type CodexTestHome,
  codexTestHome,
  errorReply,
  FakeOpenAIServer,
  functionCallReply,
  type RecordedRequest,
  slowTextReply,
  textReply,
} from "@openaxon/fake-openai";
import { CodexAdapter } from "../src/index.js";

const API_KEY = "sk-test-fake";

/** The pinned Codex CLI from npm: its `bin/codex.js` launcher, which runs the platform binary. */
export function codexLauncher(): string {
  return createRequire(import.meta.url).resolve("@openai/codex/bin/codex.js");
}

/** The mount a runtime would give the adapter for `codex` (run by node, as `#!/usr/bin/env node` would). */
export function codexLaunch(extra: Partial<AgentLaunch> = {}): AgentLaunch {
  return { agentBinary: process.execPath, launchArgs: [codexLauncher()], ...extra };
}

/**
 * What the model was shown, in the contract's words: `user: …`, `assistant: …`, and each shell
 * result as `tool_result ok|error: …` by the exit status Codex reported to the model.
 */
export function contractTranscript(request: RecordedRequest): string {
  const input = request.body?.input;
  if (!Array.isArray(input)) return "";
  return input
    .flatMap((item): string[] => {
      if (item.type === "function_call_output") {
        const output = String(item.output);
        return [`tool_result ${/Process exited with code 0\b/.test(output) ? "ok" : "error"}: ${output}`];
      }
      if (item.type === "function_call") return [`tool_use ${String(item.name)} ${String(item.arguments)}`];
      if ((item.type ?? "message") !== "message" || !Array.isArray(item.content)) return [];
      return (item.content as { text?: unknown }[]).map(
        (part) => `${String(item.role)}: ${String(part.text)}`,
      );
    })
    .join("\n");
}

/** A Codex adapter against the fake Responses API, in a throwaway CODEX_HOME and working directory. */
export interface CodexWorld extends AdapterContractSubject {
  readonly adapter: CodexAdapter;
  readonly fake: FakeOpenAIServer;
  readonly home: CodexTestHome;
  readonly cwd: string;
  readonly driver: AdapterDriver;
}

export async function codexWorld(launch: AgentLaunch = codexLaunch()): Promise<CodexWorld> {
  const fake = await FakeOpenAIServer.start({ requiredApiKey: API_KEY });
  const home = await codexTestHome(fake.baseUrl, API_KEY);
  const cwd = await mkdtemp(join(tmpdir(), "openaxon-codex-cwd-"));
  const adapter = new CodexAdapter(launch);
  const model: ScriptedModel = {
    say: (chunks, delayMs) =>
      fake.enqueue(
        delayMs === undefined ? { type: "text", chunks: [...chunks] } : slowTextReply(chunks, delayMs),
      ),
    // `justification` is Codex's field for the reason a person is asked; Codex accepts it only
    // with an explicit request to run outside its sandbox.
    runShell: (command, description, then) =>
      fake.enqueue(
        functionCallReply("exec_command", {
          cmd: command,
          sandbox_permissions: "require_escalated",
          justification: description,
        }),
        ...(then === undefined ? [] : [textReply(then)]),
      ),
    fail: (message) => fake.enqueue(errorReply(400, "invalid_request_error", message)),
    seen: (index = -1) => contractTranscript(fake.mainRequests().at(index)!),
    credentialSeen: () => fake.mainRequests()[0]?.headers.authorization?.replace(/^Bearer /, ""),
    expectedCredential: API_KEY,
    persisted: (sessionId, text) => home.waitForRollout(sessionId, text),
  };
  const agentLaunch = { cwd, env: home.env };
  return {
    adapter,
    fake,
    home,
    cwd,
    launch: agentLaunch,
    model,
    driver: new AdapterDriver(adapter, agentLaunch),
    async close() {
      await adapter.stop();
      await fake.close();
      await home.cleanup();
      await rm(cwd, { recursive: true, force: true });
    },
  };
}
