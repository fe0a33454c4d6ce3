import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { SANDBOX_BASE_ARGS } from "./sandbox-command.js";

export type SandboxAvailability =
  | {
      readonly kind: "bubblewrap";
      readonly bwrapPath: string;
      readonly socatPath: string;
      readonly version: string;
    }
  | { readonly kind: "none"; readonly reason: string };

/**
 * `auto`: sandbox when bubblewrap works, else run unsandboxed (report `sandbox: none`, warn).
 * `required`: refuse to start without a working sandbox. `off`: never sandbox.
 */
export type SandboxMode = "auto" | "required" | "off";

export interface DetectSandboxOptions {
  readonly bwrapPath?: string;
  readonly socatPath?: string;
  /** Where to look for the binaries; default process.env.PATH. */
  readonly path?: string;
}

/**
 * Finds bubblewrap and socat and checks that bubblewrap can actually build the sandbox the
 * runtime needs here (user namespaces may be disabled, or we may be inside a container that
 * forbids them): it runs `true` with the same namespace and mount flags the agent will get.
 */
export async function detectSandbox(options: DetectSandboxOptions = {}): Promise<SandboxAvailability> {
  const searchPath = options.path ?? process.env.PATH ?? "";
  const bwrapPath = options.bwrapPath ?? (await findExecutable("bwrap", searchPath));
  if (!bwrapPath) return { kind: "none", reason: "bubblewrap (bwrap) is not installed" };
  const socatPath = options.socatPath ?? (await findExecutable("socat", searchPath));
  if (!socatPath)
    return { kind: "none", reason: "socat is not installed (needed for the sandbox network bridge)" };
  const probe = await run(bwrapPath, [...SANDBOX_BASE_ARGS, "true"]);
  if (!probe.ok) return { kind: "none", reason: `bubblewrap cannot create a sandbox here: ${probe.detail}` };
  const version = await run(bwrapPath, ["--version"]);
  return { kind: "bubblewrap", bwrapPath, socatPath, version: version.ok ? version.detail : "unknown" };
}

/** Applies the configured mode: what to run with, or an error for `required` without a sandbox. */
export function chooseSandbox(mode: SandboxMode, availability: SandboxAvailability): SandboxAvailability {
  if (mode === "off") return { kind: "none", reason: "sandbox disabled by configuration" };
  if (mode === "required" && availability.kind === "none") {
    throw new Error(`sandbox is required but unavailable: ${availability.reason}`);
  }
  return availability;
}

async function findExecutable(name: string, searchPath: string): Promise<string | undefined> {
  for (const dir of searchPath.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function run(file: string, args: string[]): Promise<{ ok: boolean; detail: string }> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { timeout: 10_000, env: { PATH: process.env.PATH ?? "" } },
      (error, stdout, stderr) => {
        const firstLine = (text: string) => text.trim().split("\n")[0] ?? "";
        if (error) resolve({ ok: false, detail: firstLine(stderr) || error.message });
        else resolve({ ok: true, detail: firstLine(stdout) });
      },
    );
  });
}
