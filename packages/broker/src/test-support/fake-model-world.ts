import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type ClaudeCodeTestHome,
  claudeCodeTestHome,
  errorReply,
  FakeAnthropicServer,
  slowTextReply,
  textReply,
  toolUseReply,
  transcript,
} from "@openaxon/fake-anthropic";
import type { AdapterContractSubject, ContractAdapter, ScriptedModel } from "./adapter-contract.js";
import { AdapterDriver } from "./adapter-driver.js";

/** What a Claude-based agent under test runs against: a fake Messages API, a HOME and a cwd. */
export interface FakeModelWorld {
  readonly fake: FakeAnthropicServer;
  readonly claudeHome: ClaudeCodeTestHome;
  readonly cwd: string;
  readonly launch: { readonly cwd: string; readonly env: Readonly<Record<string, string>> };
  readonly model: ScriptedModel;
  close(): Promise<void>;
}

const API_KEY = "sk-test-fake";

/** Starts the fake Messages API (requiring a test key), a throwaway HOME and a working directory. */
export async function fakeModelWorld(name: string): Promise<FakeModelWorld> {
  const fake = await FakeAnthropicServer.start({ requiredApiKey: API_KEY });
  const claudeHome = await claudeCodeTestHome(fake.url, API_KEY);
  const cwd = await mkdtemp(join(tmpdir(), `openaxon-${name}-cwd-`));
  const model: ScriptedModel = {
    say: (chunks, delayMs) =>
      fake.enqueue(
        delayMs === undefined ? { type: "text", chunks: [...chunks] } : slowTextReply(chunks, delayMs),
      ),
    runShell: (command, description, then) =>
      fake.enqueue(
        toolUseReply("Bash", { command, description }),
        ...(then === undefined ? [] : [textReply(then)]),
      ),
    fail: (message) => fake.enqueue(errorReply(400, "invalid_request_error", message)),
    seen: (index = -1) => transcript(fake.mainRequests().at(index)!),
    credentialSeen: () => fake.mainRequests()[0]?.headers["x-api-key"],
    expectedCredential: API_KEY,
    persisted: (sessionId, text) => claudeHome.waitForTranscript(sessionId, text),
  };
  return {
    fake,
    claudeHome,
    cwd,
    launch: { cwd, env: claudeHome.env },
    model,
    async close() {
      await fake.close();
      await claudeHome.cleanup();
      await rm(cwd, { recursive: true, force: true });
    },
  };
}

/** An adapter in its own fake-model world: a contract subject, plus a driver for protocol extras. */
export interface AdapterInWorld<A extends ContractAdapter> extends AdapterContractSubject {
  readonly adapter: A;
  readonly world: FakeModelWorld;
  readonly driver: AdapterDriver;
}

export async function adapterInFakeModelWorld<A extends ContractAdapter>(
  name: string,
  newAdapter: () => A,
): Promise<AdapterInWorld<A>> {
  const world = await fakeModelWorld(name);
  const adapter = newAdapter();
  return {
    adapter,
    world,
    launch: world.launch,
    model: world.model,
    driver: new AdapterDriver(adapter, world.launch),
    async close() {
      await adapter.stop();
      await world.close();
    },
  };
}
