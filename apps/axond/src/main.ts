import type { Logger } from "pino";
import { startAxond } from "./axond.js";
import { resolveConfig } from "./config.js";
import { createLogger } from "./logger.js";
import { handleShutdown } from "./shutdown.js";
import { StartupError } from "./startup-error.js";

// Entry point of the `axond` binary (`npm start`, `npx axond`).
// Everything axond creates (store files, secrets, sockets) is the owner's alone.
process.umask(0o077);
if (process.argv[2] === "verify") {
  // A separate command: scans a stopped store and exits (0 clean, 1 damaged, 2 usage).
  const { runVerifyCommand } = await import("./verify-command.js");
  const io = { argv: process.argv.slice(3), env: process.env, cwd: process.cwd() };
  const write = (stream: NodeJS.WriteStream) => (text: string) => stream.write(text);
  process.exit(
    await runVerifyCommand({ ...io, stdout: write(process.stdout), stderr: write(process.stderr) }),
  );
}
let logger: Logger | undefined;
try {
  const commandLine = resolveConfig({ argv: process.argv.slice(2), env: process.env, cwd: process.cwd() });
  if (commandLine.kind === "help") {
    process.stdout.write(commandLine.text);
  } else {
    const { config } = commandLine;
    logger = createLogger({ level: config.logLevel, pretty: process.stderr.isTTY === true });
    const axond = await startAxond(config, logger);
    handleShutdown({ process, logger, stop: axond.stop, exit: (code) => process.exit(code) });
    // The one line on stdout; scripts and tests parse the URL from it.
    process.stdout.write(`axond listening on ${axond.url} (data: ${config.dataDir})\n`);
  }
} catch (error) {
  if (error instanceof StartupError) {
    process.stderr.write(`axond: ${error.message}\n`);
  } else if (logger) {
    logger.fatal({ err: error }, "axond failed to start");
  } else {
    console.error(error);
  }
  process.exit(1);
}
