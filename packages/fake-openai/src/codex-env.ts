import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The name of the variable holding the fake key; Codex reads it through the provider's `env_key`. */
export const FAKE_OPENAI_KEY_VAR = "OPENAXON_FAKE_OPENAI_KEY";

export interface CodexTestHome {
  /** Complete environment for a Codex process talking to the fake: nothing else leaks in. */
  readonly env: Record<string, string>;
  /** CODEX_HOME (and HOME): config.toml, sessions, Codex's SQLite state. */
  readonly home: string;
  /**
   * Resolves once the rollout of thread `threadId` (CODEX_HOME/sessions/YYYY/MM/DD/rollout-…-<id>.jsonl)
   * contains `text`, so a crash test knows the message is stored before it kills Codex.
   */
  waitForRollout(threadId: string, text: string): Promise<void>;
  /** Removes the temporary home (and the sessions Codex stored in it). */
  cleanup(): Promise<void>;
}

/**
 * A throwaway CODEX_HOME whose config.toml makes a custom model provider at `baseUrl` (the fake's
 * `…/v1`, Responses wire API) the default, with the key in an env var, so nothing of the user's
 * Codex setup is read and nothing leaves 127.0.0.1. Only PATH is taken from this process.
 */
export async function codexTestHome(baseUrl: string, apiKey = "sk-test-fake"): Promise<CodexTestHome> {
  const home = await mkdtemp(join(tmpdir(), "openaxon-codex-home-"));
  await writeFile(join(home, "config.toml"), codexConfigToml(baseUrl));
  return {
    home,
    env: {
      CODEX_HOME: home,
      HOME: home,
      [FAKE_OPENAI_KEY_VAR]: apiKey,
      PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    },
    waitForRollout: async (threadId, text) => {
      for (;;) {
        if ((await readRollout(join(home, "sessions"), threadId)).includes(text)) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    cleanup: () => rm(home, { recursive: true, force: true }),
  };
}

/** config.toml for a Codex that talks only to the fake. */
export function codexConfigToml(baseUrl: string): string {
  return [
    'model = "gpt-fake"',
    'model_provider = "openaxon-fake"',
    // No update checks, no analytics: the sandboxed tests have no network beyond the fake.
    "check_for_update_on_startup = false",
    "[analytics]",
    "enabled = false",
    "[model_providers.openaxon-fake]",
    'name = "OpenAxon fake"',
    `base_url = ${JSON.stringify(baseUrl)}`,
    `env_key = "${FAKE_OPENAI_KEY_VAR}"`,
    'wire_api = "responses"',
    // Fail fast: a refused request is the test's answer, not something to retry.
    "request_max_retries = 0",
    "stream_max_retries = 0",
    "",
  ].join("\n");
}

async function readRollout(sessions: string, threadId: string): Promise<string> {
  const files = await readdir(sessions, { recursive: true }).catch(() => [] as string[]);
  const mine = files.filter((file) => file.endsWith(`${threadId}.jsonl`));
  const texts = await Promise.all(mine.map((file) => readFile(join(sessions, file), "utf8").catch(() => "")));
  return texts.join("");
}
