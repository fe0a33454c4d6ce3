/**
 * The bubblewrap sandbox an agent runs in: `detectSandbox()` + `chooseSandbox(mode, …)`, then
 * `buildSandboxCommand({ command, workdir, bridges: [{ port: SANDBOX_PROXY_PORT, socketPath }, …],
 * hiddenPaths: [dataDir] })` → `{ file, args }` to spawn with the agent's env. The bridges make the
 * gateway's Unix sockets reachable at 127.0.0.1 inside the sandbox's empty network namespace.
 */
export {
  buildSandboxCommand,
  SANDBOX_GATEWAY_PORT,
  SANDBOX_PROXY_PORT,
  type SandboxBridge,
  type SandboxCommand,
  type SandboxCommandOptions,
} from "./sandbox-command.js";
export {
  chooseSandbox,
  type DetectSandboxOptions,
  detectSandbox,
  type SandboxAvailability,
  type SandboxMode,
} from "./sandbox-detect.js";
