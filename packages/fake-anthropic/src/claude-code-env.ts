import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface ClaudeCodeTestHome {
  /** Complete environment for a Claude Code process talking to the fake: nothing else leaks in. */
  readonly env: Record<string, string>;
  readonly home: string;
  /**
   * Resolves once Claude Code's transcript of `sessionId` (CLAUDE_CONFIG_DIR/projects/…/<id>.jsonl)
   * contains `text`. Claude Code writes it asynchronously, within about 100 ms of each message; a
   * crash inside that window loses the message, so crash tests wait for it first.
   */
  waitForTranscript(sessionId: string, text: string): Promise<void>;
  /** Removes the temporary HOME (and the sessions Claude Code stored in it). */
  cleanup(): Promise<void>;
}

/**
 * A throwaway HOME and CLAUDE_CONFIG_DIR plus the variables that point Claude Code at `baseUrl`
 * with a fake key. Only PATH is taken from this process (agents are `#!/usr/bin/env node` scripts).
 */
export async function claudeCodeTestHome(
  baseUrl: string,
  apiKey = "sk-test-fake",
): Promise<ClaudeCodeTestHome> {
  const home = await mkdtemp(join(tmpdir(), "openaxon-claude-home-"));
  const configDir = join(home, ".claude");
  await mkdir(configDir);
  return {
    home,
    env: {
      ANTHROPIC_BASE_URL: baseUrl,
      ANTHROPIC_API_KEY: apiKey,
      HOME: home,
      CLAUDE_CONFIG_DIR: configDir,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    },
    waitForTranscript: async (sessionId, text) => {
      for (;;) {
        if ((await readTranscript(configDir, sessionId)).includes(text)) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    cleanup: () => rm(home, { recursive: true, force: true }),
  };
}

async function readTranscript(configDir: string, sessionId: string): Promise<string> {
  const projects = join(configDir, "projects");
  const dirs = await readdir(projects).catch(() => [] as string[]);
  const texts = await Promise.all(
    dirs.map((dir) => readFile(join(projects, dir, `${sessionId}.jsonl`), "utf8").catch(() => "")),
  );
  return texts.join("");
}

/** Where npm put the pinned agents: the claude-code-acp binary and the Claude Code CLI it bundles. */
export function bundledClaudeCode(): { readonly acpAgentBinary: string; readonly cliJs: string } {
  const require = createRequire(import.meta.url);
  const acpPackage = require.resolve("@zed-industries/claude-code-acp/package.json");
  const fromAcp = createRequire(acpPackage);
  return {
    acpAgentBinary: join(acpPackage, "..", "dist", "index.js"),
    cliJs: fromAcp.resolve("@anthropic-ai/claude-agent-sdk/cli.js"),
  };
}
