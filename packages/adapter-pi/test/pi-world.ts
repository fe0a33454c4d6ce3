import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AdapterContractSubject, ScriptedModel } from "@openaxon/broker/test-support";
import {
  errorReply,
  FakeAnthropicServer,
  slowTextReply,
  textReply,
  toolUseReply,
  transcript,
} from "@openaxon/fake-anthropic";
import { PiAdapter } from "../src/index.js";

const API_KEY = "sk-test-fake";

/** Pi's built-in Anthropic model the tests run (its requests go to the fake). */
export const PI_TEST_MODEL = "anthropic/claude-sonnet-4-5";

/** The pinned Pi CLI from the npm registry (a devDependency of this package). */
export function piCli(): string {
  // The package exports neither its package.json nor its CLI, so look where Node would.
  const candidates = (
    createRequire(import.meta.url).resolve.paths("@mariozechner/pi-coding-agent") ?? []
  ).map((dir) => join(dir, "@mariozechner", "pi-coding-agent", "dist", "cli.js"));
  const cli = candidates.find((path) => existsSync(path));
  if (!cli)
    throw new Error(`@mariozechner/pi-coding-agent is not installed (looked in ${candidates.join(", ")})`);
  return cli;
}

export const newPiAdapter = (model: string | undefined = PI_TEST_MODEL) =>
  new PiAdapter({
    agentBinary: process.execPath,
    launchArgs: [piCli()],
    ...(model !== undefined && { model }),
  });

/** What a Pi under test runs against: a fake Messages API, a throwaway HOME and agent dir, a cwd. */
export interface PiWorld {
  readonly fake: FakeAnthropicServer;
  readonly home: string;
  /** PI_CODING_AGENT_DIR: models.json, settings, sessions. */
  readonly agentDir: string;
  readonly cwd: string;
  readonly launch: { readonly cwd: string; readonly env: Readonly<Record<string, string>> };
  readonly model: ScriptedModel;
  /** The text of Pi's saved session `sessionId` ("" when none is saved). */
  sessionText(sessionId: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts the fake Messages API and points Pi's built-in Anthropic provider at it — through
 * models.json in a temporary agent dir (PI_CODING_AGENT_DIR, HOME), or with `endpoint: "env"`
 * through ANTHROPIC_BASE_URL — so nothing of the user's configuration, sessions or keys is read.
 */
export async function piWorld(options: { readonly endpoint?: "models.json" | "env" } = {}): Promise<PiWorld> {
  const fake = await FakeAnthropicServer.start({ requiredApiKey: API_KEY });
  const home = await mkdtemp(join(tmpdir(), "openaxon-pi-home-"));
  const agentDir = join(home, ".pi", "agent");
  await mkdir(agentDir, { recursive: true });
  const byEnv = options.endpoint === "env";
  if (!byEnv) {
    await writeFile(
      join(agentDir, "models.json"),
      JSON.stringify({ providers: { anthropic: { baseUrl: fake.url } } }),
    );
  }
  const cwd = await mkdtemp(join(tmpdir(), "openaxon-pi-cwd-"));
  const sessionText = async (sessionId: string) => {
    const sessions = join(agentDir, "sessions");
    const dirs = await readdir(sessions).catch(() => [] as string[]);
    const texts = await Promise.all(
      dirs.map(async (dir) => {
        const files = await readdir(join(sessions, dir)).catch(() => [] as string[]);
        const mine = files.filter((file) => file.endsWith(`_${sessionId}.jsonl`));
        return (await Promise.all(mine.map((file) => readFile(join(sessions, dir, file), "utf8")))).join("");
      }),
    );
    return texts.join("");
  };
  const model: ScriptedModel = {
    say: (chunks, delayMs) =>
      fake.enqueue(
        delayMs === undefined ? { type: "text", chunks: [...chunks] } : slowTextReply(chunks, delayMs),
      ),
    runShell: (command, description, then) =>
      fake.enqueue(
        toolUseReply("bash", { command, description }),
        ...(then === undefined ? [] : [textReply(then)]),
      ),
    fail: (message) => fake.enqueue(errorReply(400, "invalid_request_error", message)),
    seen: (index = -1) => transcript(fake.mainRequests().at(index)!),
    credentialSeen: () => fake.mainRequests()[0]?.headers["x-api-key"],
    expectedCredential: API_KEY,
    persisted: async (sessionId, text) => {
      while (!(await sessionText(sessionId)).includes(text)) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
  return {
    fake,
    home,
    agentDir,
    cwd,
    launch: {
      cwd,
      env: {
        HOME: home,
        PI_CODING_AGENT_DIR: agentDir,
        ANTHROPIC_API_KEY: API_KEY,
        ...(byEnv && { ANTHROPIC_BASE_URL: fake.url }),
        PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
      },
    },
    model,
    sessionText,
    async close() {
      await fake.close();
      await rm(home, { recursive: true, force: true });
      await rm(cwd, { recursive: true, force: true });
    },
  };
}

/** A Pi adapter in its own world, as the adapter contract wants it. */
export type PiSubject = AdapterContractSubject & { readonly adapter: PiAdapter; readonly world: PiWorld };

export async function piSubject(
  adapter: PiAdapter = newPiAdapter(),
  options: Parameters<typeof piWorld>[0] = {},
): Promise<PiSubject> {
  const world = await piWorld(options);
  return {
    adapter,
    world,
    launch: world.launch,
    model: world.model,
    async close() {
      await adapter.stop();
      await world.close();
    },
  };
}
