import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { formatVerifyReport, verifyStore } from "@openaxon/store";
import { Command, CommanderError } from "commander";
import { DEFAULT_DATA_DIR } from "./config.js";
import { STORE_SUBDIR } from "./data-dir.js";

/** Exit codes of `axond verify`. */
export const VERIFY_EXIT = { clean: 0, damaged: 1, usage: 2 } as const;

export interface VerifyIo {
  /** Arguments after `verify`. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

type VerifyArgs =
  | { readonly kind: "run"; readonly dataDir: string; readonly json: boolean }
  | { readonly kind: "help"; readonly text: string }
  | { readonly kind: "usage"; readonly message: string };

/**
 * `axond verify --data-dir D [--json]`: scans a stopped axond's store for damage and reports it,
 * never writing to it. Returns the exit code: 0 clean, 1 damage found, 2 usage error.
 */
export async function runVerifyCommand(io: VerifyIo): Promise<number> {
  const args = parseVerifyArgs(io);
  if (args.kind === "help") {
    io.stdout(args.text);
    return VERIFY_EXIT.clean;
  }
  if (args.kind === "usage") {
    io.stderr(`axond verify: ${args.message}\n`);
    return VERIFY_EXIT.usage;
  }
  const isDir = await stat(args.dataDir).then(
    (s) => s.isDirectory(),
    () => undefined,
  );
  if (isDir !== true) {
    io.stderr(
      `axond verify: data dir ${args.dataDir} ${isDir === undefined ? "does not exist" : "is not a directory"}\n`,
    );
    return VERIFY_EXIT.usage;
  }
  const outcome = await verifyStore(join(args.dataDir, STORE_SUBDIR));
  if (outcome.kind === "not-a-store") {
    io.stderr(`axond verify: ${args.dataDir} is not an axond data dir (${outcome.message})\n`);
    return VERIFY_EXIT.usage;
  }
  const { report } = outcome;
  io.stdout(
    args.json
      ? `${JSON.stringify({ dataDir: args.dataDir, ...report }, null, 2)}\n`
      : `data dir ${args.dataDir}\n${formatVerifyReport(report)}`,
  );
  return report.clean ? VERIFY_EXIT.clean : VERIFY_EXIT.damaged;
}

function parseVerifyArgs({ argv, env, cwd }: VerifyIo): VerifyArgs {
  let help = "";
  const program = new Command("axond verify")
    .description(
      "Check a stopped axond's data dir for damage (chunk checksums, gaps, head records, lost " +
        "commits) without writing to it. Exit 0 clean, 1 damage found, 2 usage error.",
    )
    .option("--data-dir <dir>", `data dir to check; env OPENAXON_DATA_DIR (default ./${DEFAULT_DATA_DIR})`)
    .option("--json", "print a machine-readable report")
    .helpOption("-h, --help", "show this help")
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => {
        help += text;
      },
      writeErr: () => {},
    });
  try {
    program.parse([...argv], { from: "user" });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === "commander.helpDisplayed" || error.code === "commander.help") {
      return { kind: "help", text: help };
    }
    return { kind: "usage", message: error.message.replace(/^error: /, "") };
  }
  const flags = program.opts<{ dataDir?: string; json?: boolean }>();
  const text = flags.dataDir ?? (env.OPENAXON_DATA_DIR?.trim() || DEFAULT_DATA_DIR);
  if (text.trim() === "") return { kind: "usage", message: "--data-dir must not be empty" };
  return { kind: "run", dataDir: resolve(cwd, text), json: flags.json === true };
}
