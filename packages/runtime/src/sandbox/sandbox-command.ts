import { statSync } from "node:fs";

/** A host Unix socket made reachable inside the sandbox at 127.0.0.1:`port`. */
export interface SandboxBridge {
  readonly port: number;
  readonly socketPath: string;
}

export interface SandboxCommandOptions {
  /** The agent's argv (executable first). */
  readonly command: readonly string[];
  /** Bound read-write and made the working directory. */
  readonly workdir: string;
  /** Loopback ports inside the sandbox that lead to the proxy's and gateway's Unix sockets. */
  readonly bridges?: readonly SandboxBridge[];
  /**
   * Host paths the agent must not read even though the root is visible read-only — at least the
   * server's data dir (secret key, stores). Directories are covered by an empty tmpfs, files by
   * /dev/null; missing paths are skipped. Mounts go parents first, so the workdir and bridge
   * sockets inside a hidden path are re-bound on top, and a writable parent cannot uncover it.
   */
  readonly hiddenPaths?: readonly string[];
  /** Extra host paths bound read-write (e.g. the agent's HOME). */
  readonly writablePaths?: readonly string[];
  /**
   * Paths re-bound read-only on top of the private /tmp: the agent's own software when it is
   * installed under /tmp (a checkout there, an npx cache), which the private /tmp would hide.
   */
  readonly readOnlyPaths?: readonly string[];
  readonly bwrapPath?: string;
  readonly socatPath?: string;
  readonly shellPath?: string;
}

/** Spawn `file` with `args` and the agent's environment (bwrap passes it through). */
export interface SandboxCommand {
  readonly file: string;
  readonly args: string[];
}

/** Loopback ports the runtime conventionally bridges inside a sandbox. */
/**
 * The isolation every sandbox starts from (and what detection probes): all namespaces unshared,
 * no capabilities, the host root read-only, fresh /dev, /proc and a private /tmp.
 */
export const SANDBOX_BASE_ARGS: readonly string[] = [
  "--unshare-all",
  "--unshare-net",
  "--die-with-parent",
  "--new-session",
  "--cap-drop",
  "ALL",
  "--ro-bind",
  "/",
  "/",
  "--dev",
  "/dev",
  "--proc",
  "/proc",
  "--tmpfs",
  "/tmp",
];

export const SANDBOX_PROXY_PORT = 3128;
export const SANDBOX_GATEWAY_PORT = 3129;

const SAFE_PATH = /^\/[A-Za-z0-9_./@+-]*$/;

/**
 * Builds the bubblewrap invocation for an agent: every namespace unshared (so the network
 * namespace holds only loopback and direct egress is impossible), all capabilities dropped, a
 * read-only view of the host root with the given paths hidden, a private /tmp, the workdir
 * writable, and a tiny `sh` wrapper that starts one `socat` per bridge (loopback port → host
 * Unix socket), waits until each is listening, then execs the agent. Works with bwrap 0.8.
 */
export function buildSandboxCommand(options: SandboxCommandOptions): SandboxCommand {
  if (options.command.length === 0) throw new Error("the sandboxed command is empty");
  const bridges = options.bridges ?? [];
  for (const path of [options.workdir, ...bridges.map((b) => b.socketPath)]) checkPath(path);
  const ports = new Set<number>();
  for (const bridge of bridges) {
    if (!Number.isInteger(bridge.port) || bridge.port < 1 || bridge.port > 65535 || ports.has(bridge.port)) {
      throw new Error(`invalid or duplicate sandbox bridge port ${bridge.port}`);
    }
    ports.add(bridge.port);
  }
  const args = [...SANDBOX_BASE_ARGS];
  const mounts: { path: string; args: string[] }[] = [];
  for (const path of options.hiddenPaths ?? []) {
    checkPath(path);
    const kind = kindOf(path);
    if (kind === "dir") mounts.push({ path, args: ["--tmpfs", path] });
    else if (kind === "file") mounts.push({ path, args: ["--ro-bind", "/dev/null", path] });
  }
  for (const path of options.readOnlyPaths ?? []) {
    checkPath(path);
    mounts.push({ path, args: ["--ro-bind", path, path] });
  }
  for (const path of [options.workdir, ...(options.writablePaths ?? [])]) {
    checkPath(path);
    mounts.push({ path, args: ["--bind", path, path] });
  }
  for (const { socketPath } of bridges)
    mounts.push({ path: socketPath, args: ["--ro-bind", socketPath, socketPath] });
  // Parents before children: a writable HOME that contains the hidden data dir must not cover the
  // tmpfs hiding it, and a workdir inside the hidden data dir must come back on top of it. At equal
  // depth (the same path) the later kind wins: binds over hides.
  const depth = (path: string) => path.split("/").filter((part) => part !== "" && part !== ".").length;
  mounts.sort((a, b) => depth(a.path) - depth(b.path));
  for (const mount of mounts) args.push(...mount.args);
  args.push("--chdir", options.workdir, "--");
  const shell = options.shellPath ?? "/bin/sh";
  if (bridges.length === 0) {
    args.push(...options.command);
  } else {
    args.push(
      shell,
      "-c",
      bridgeScript(bridges, options.socatPath ?? "socat"),
      "openaxon-sandbox",
      ...options.command,
    );
  }
  return { file: options.bwrapPath ?? "bwrap", args };
}

/**
 * Starts the bridges, waits for each listener to show up in /proc/net/tcp (state 0A = LISTEN on
 * 127.0.0.1), then execs the agent with the arguments after the script name.
 */
function bridgeScript(bridges: readonly SandboxBridge[], socat: string): string {
  const lines = ["set -e"];
  for (const { port, socketPath } of bridges) {
    lines.push(
      `${quote(socat)} TCP-LISTEN:${port},bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:${socketPath} </dev/null >/dev/null 2>&1 &`,
    );
  }
  const hexPorts = bridges.map((b) => `0100007F:${b.port.toString(16).toUpperCase().padStart(4, "0")}`);
  lines.push(
    `for listener in ${hexPorts.join(" ")}; do`,
    "  tries=0",
    '  until grep -q " $listener 00000000:0000 0A " /proc/net/tcp; do',
    "    tries=$((tries + 1))",
    '    if [ "$tries" -gt 1000 ]; then echo "openaxon-sandbox: network bridge did not start" >&2; exit 70; fi',
    "    sleep 0.01",
    "  done",
    "done",
    'exec "$@"',
  );
  return lines.join("\n");
}

function checkPath(path: string): void {
  // Paths end up in bwrap argv and in socat address syntax (where ',' and ':' are separators).
  if (!SAFE_PATH.test(path) || path.includes("/../") || path.endsWith("/..")) {
    throw new Error(`sandbox path must be absolute and plain (A-Z a-z 0-9 _ . / @ + -): ${path}`);
  }
}

function kindOf(path: string): "dir" | "file" | undefined {
  try {
    return statSync(path).isDirectory() ? "dir" : "file";
  } catch {
    return undefined;
  }
}

function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
