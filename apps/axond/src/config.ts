import { resolve } from "node:path";
import { formatBytes, formatDuration, parseByteSize, parseDuration } from "@openaxon/core";
import { type ApiKeyGrant, isScope, normalizeOrigin, SCOPES } from "@openaxon/server";
import { DEFAULT_MAX_AXON_BYTES } from "@openaxon/store";
import { Command, CommanderError } from "commander";
import { isLoopbackHost, type ListenAddress, parseListenAddress } from "./listen-address.js";
import { StartupError } from "./startup-error.js";
import { decideStoreChoice, type JetStreamChoice } from "./store-choice.js";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const SANDBOX_MODES = ["auto", "required", "off"] as const;
export type SandboxMode = (typeof SANDBOX_MODES)[number];

export const DEFAULT_LISTEN = "127.0.0.1:7433";
export const DEFAULT_DATA_DIR = ".openaxon";
/** How often retention runs: trims axons to their retention and frees deleted axons' disk. */
export const DEFAULT_RETENTION_INTERVAL_MS = 60_000;

export interface AxondConfig {
  readonly listen: ListenAddress;
  /** Absolute path of the data directory. */
  readonly dataDir: string;
  /** `KEY` has every scope; `KEY:read+publish` only those listed. */
  readonly apiKeys: readonly ApiKeyGrant[];
  /** Host names clients may use besides loopback and the listen address. */
  readonly allowedHosts: readonly string[];
  /** Browser origins allowed to call cross-origin. */
  readonly corsOrigins: readonly string[];
  readonly logLevel: LogLevel;
  /**
   * Agents in bubblewrap: `auto` when the host has it, `required` refuses to start without it,
   * `off` never. A runtime's sandbox_policy can ask for more (REQUIRED) or opt out (OFF, unless
   * the server requires it).
   */
  readonly sandbox: SandboxMode;
  /** Open connections beyond which new ones are refused (the server's default when undefined). */
  readonly maxConnections?: number;
  /** HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS per connection (the server's default when undefined). */
  readonly maxStreamsPerConnection?: number;
  /** Axons on a NATS JetStream cluster; undefined: the embedded store in the data dir. */
  readonly store?: JetStreamChoice;
  /** Serve HTTPS with these PEM files (absolute paths). */
  readonly tls?: TlsFiles;
  /** Serve cleartext off loopback (TLS ends at a proxy in front). */
  readonly allowCleartext: boolean;
  /** The per-axon size cap of the embedded store, in stored bytes. */
  readonly maxAxonBytes: number;
  /** Time between retention passes. */
  readonly retentionIntervalMs: number;
}

export interface TlsFiles {
  readonly certPath: string;
  readonly keyPath: string;
}

export type CommandLine =
  | { readonly kind: "run"; readonly config: AxondConfig }
  /** `--help`: print `text` to stdout and exit 0. */
  | { readonly kind: "help"; readonly text: string };

export interface ConfigSources {
  /** Arguments after the script name. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Relative data dirs resolve against this. */
  readonly cwd: string;
}

interface Flags {
  listen?: string;
  dataDir?: string;
  apiKey?: string[];
  allowedHost?: string[];
  corsOrigin?: string[];
  logLevel?: string;
  sandbox?: string;
  maxConnections?: string;
  maxStreamsPerConnection?: string;
  store?: string;
  nats?: string;
  natsReplicas?: string;
  runtimeLeaseTtl?: string;
  tlsCert?: string;
  tlsKey?: string;
  allowCleartext?: boolean;
  maxAxonBytes?: string;
  retentionInterval?: string;
}

/** Flags override the environment, which overrides the defaults. Throws `StartupError`. */
export function resolveConfig(sources: ConfigSources): CommandLine {
  let help = "";
  const program = buildProgram((text) => {
    help += text;
  });
  try {
    program.parse([...sources.argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.help") {
        return { kind: "help", text: help };
      }
      throw new StartupError(error.message.replace(/^error: /, ""));
    }
    throw error;
  }
  return { kind: "run", config: buildConfig(program.opts<Flags>(), sources) };
}

function buildConfig(flags: Flags, { env, cwd }: ConfigSources): AxondConfig {
  const listen = parseListenAddress(flags.listen ?? nonEmpty(env.OPENAXON_LISTEN) ?? DEFAULT_LISTEN);

  const dataDirText = flags.dataDir ?? nonEmpty(env.OPENAXON_DATA_DIR) ?? DEFAULT_DATA_DIR;
  if (dataDirText.trim() === "") throw new StartupError("--data-dir must not be empty");
  const dataDir = resolve(cwd, dataDirText);

  const apiKeys = [...new Set(flags.apiKey ?? splitKeys(env.OPENAXON_API_KEYS))].map(parseApiKey);
  const allowedHosts = (flags.allowedHost ?? splitKeys(env.OPENAXON_ALLOWED_HOSTS)).map((host) => {
    if (!/^[^\s:/@]+$|^\[[0-9a-fA-F:.]+\]$/.test(host)) {
      throw new StartupError(`--allowed-host "${host}" must be a host name or address without port`);
    }
    return host.toLowerCase();
  });
  const corsOrigins = (flags.corsOrigin ?? splitKeys(env.OPENAXON_CORS_ORIGINS)).map((origin) => {
    const normal = normalizeOrigin(origin);
    if (normal === undefined) {
      throw new StartupError(
        `--cors-origin "${origin}" must be an origin such as https://console.example (no path, never *)`,
      );
    }
    return normal;
  });

  const logLevel = (flags.logLevel ?? nonEmpty(env.OPENAXON_LOG_LEVEL) ?? "info").toLowerCase();
  if (!isLogLevel(logLevel)) {
    throw new StartupError(`invalid log level "${logLevel}" (expected one of ${LOG_LEVELS.join(", ")})`);
  }

  const sandbox = (flags.sandbox ?? nonEmpty(env.OPENAXON_SANDBOX) ?? "auto").toLowerCase();
  if (!isSandboxMode(sandbox)) {
    throw new StartupError(`invalid sandbox mode "${sandbox}" (expected one of ${SANDBOX_MODES.join(", ")})`);
  }

  if (!isLoopbackHost(listen.host) && apiKeys.length === 0) {
    throw new StartupError(
      `refusing to listen on ${listen.host}:${listen.port} without an API key: anyone who can reach ` +
        "that address could read and write every axon. Pass --api-key KEY (repeatable) or set " +
        "OPENAXON_API_KEYS=key1,key2 — or listen on a loopback address such as 127.0.0.1.",
    );
  }

  const tls = tlsFiles(
    flags.tlsCert ?? nonEmpty(env.OPENAXON_TLS_CERT),
    flags.tlsKey ?? nonEmpty(env.OPENAXON_TLS_KEY),
    cwd,
  );
  const allowCleartext = flags.allowCleartext === true || isTrue(env.OPENAXON_ALLOW_CLEARTEXT);
  if (!isLoopbackHost(listen.host) && tls === undefined && !allowCleartext) {
    throw new StartupError(
      `refusing to listen on ${listen.host}:${listen.port} in cleartext: API keys and events would cross ` +
        "the network unencrypted. Pass --tls-cert FILE --tls-key FILE (env OPENAXON_TLS_CERT, " +
        "OPENAXON_TLS_KEY), or --allow-cleartext (OPENAXON_ALLOW_CLEARTEXT=1) when TLS ends at a proxy in front.",
    );
  }

  const maxConnections = positiveInt(
    "--max-connections",
    flags.maxConnections ?? nonEmpty(env.OPENAXON_MAX_CONNECTIONS),
  );
  const maxStreamsPerConnection = positiveInt(
    "--max-streams-per-connection",
    flags.maxStreamsPerConnection ?? nonEmpty(env.OPENAXON_MAX_STREAMS_PER_CONNECTION),
  );

  const store = decideStoreChoice(flags, env);

  const maxAxonBytesText = flags.maxAxonBytes ?? nonEmpty(env.OPENAXON_MAX_AXON_BYTES);
  const maxAxonBytes =
    maxAxonBytesText === undefined ? DEFAULT_MAX_AXON_BYTES : parseByteSize(maxAxonBytesText);
  if (maxAxonBytes === undefined || maxAxonBytes < 1) {
    throw new StartupError(
      `--max-axon-bytes must be a size such as 10GiB or 500MiB, got "${maxAxonBytesText}"`,
    );
  }
  const intervalText = flags.retentionInterval ?? nonEmpty(env.OPENAXON_RETENTION_INTERVAL);
  const retentionIntervalMs =
    intervalText === undefined ? DEFAULT_RETENTION_INTERVAL_MS : parseDuration(intervalText);
  if (retentionIntervalMs === undefined || retentionIntervalMs < 100) {
    throw new StartupError(
      `--retention-interval must be a duration of at least 100ms such as 60s or 5m, got "${intervalText}"`,
    );
  }

  return {
    listen,
    dataDir,
    apiKeys,
    allowedHosts,
    corsOrigins,
    logLevel,
    sandbox,
    allowCleartext,
    maxAxonBytes,
    retentionIntervalMs,
    ...(tls === undefined ? {} : { tls }),
    ...(maxConnections === undefined ? {} : { maxConnections }),
    ...(maxStreamsPerConnection === undefined ? {} : { maxStreamsPerConnection }),
    ...(store === undefined ? {} : { store }),
  };
}

function buildProgram(writeOut: (text: string) => void): Command {
  // The environment is read in buildConfig, not via commander's Option.env(), which reads
  // process.env directly and would make precedence untestable.
  return new Command("axond")
    .description("OpenAxon server: durable event logs (axons) over gRPC, gRPC-Web and Connect")
    .option("--listen <host:port>", `address to serve on; env OPENAXON_LISTEN (default ${DEFAULT_LISTEN})`)
    .option(
      "--data-dir <dir>",
      `where axons are stored; env OPENAXON_DATA_DIR (default ./${DEFAULT_DATA_DIR})`,
    )
    .option(
      "--api-key <key>",
      `accept this bearer API key, repeatable, required off loopback; KEY has every scope, KEY:read+publish only those (scopes: ${SCOPES.join(", ")}); env OPENAXON_API_KEYS=k1,k2:read`,
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option(
      "--allowed-host <name>",
      "also answer requests whose Host is this name (besides loopback and the listen address), repeatable; env OPENAXON_ALLOWED_HOSTS=a,b",
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option(
      "--cors-origin <origin>",
      "let browser pages from this origin (e.g. https://console.example) call the API, repeatable; env OPENAXON_CORS_ORIGINS=o1,o2",
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option("--log-level <level>", `${LOG_LEVELS.join("|")}; env OPENAXON_LOG_LEVEL (default info)`)
    .option(
      "--sandbox <mode>",
      "run agents in bubblewrap: auto (when installed), required (refuse to start without), off; env OPENAXON_SANDBOX (default auto)",
    )
    .option(
      "--max-connections <n>",
      "refuse new connections beyond this many open ones (one log line per episode); keep it well under the fd limit; env OPENAXON_MAX_CONNECTIONS (default 512)",
    )
    .option(
      "--max-streams-per-connection <n>",
      "HTTP/2 concurrent streams per connection; env OPENAXON_MAX_STREAMS_PER_CONNECTION (default 256)",
    )
    .option(
      "--store <kind>",
      "classic-level (embedded, in the data dir) or jetstream (a NATS JetStream cluster shared by many axond nodes); env OPENAXON_STORE (default classic-level)",
    )
    .option(
      "--nats <urls>",
      "with --store jetstream: the cluster, nats://h1:4222,nats://h2:4222,...; env OPENAXON_NATS",
    )
    .option(
      "--nats-replicas <n>",
      "with --store jetstream: replicas per axon stream, 3 (survives a node) or 1; env OPENAXON_NATS_REPLICAS (default 3)",
    )
    .option(
      "--runtime-lease-ttl <duration>",
      "with --store jetstream: how long a node may go silent before another takes over its runtimes, at least 1s, the same on every node; env OPENAXON_RUNTIME_LEASE_TTL (default 10s)",
    )
    .option(
      "--tls-cert <file>",
      "serve HTTPS (HTTP/2 and HTTP/1.1) with this PEM certificate chain; env OPENAXON_TLS_CERT",
    )
    .option("--tls-key <file>", "the PEM private key for --tls-cert; env OPENAXON_TLS_KEY")
    .option(
      "--allow-cleartext",
      "serve without TLS off loopback (only when TLS ends at a proxy in front); env OPENAXON_ALLOW_CLEARTEXT=1",
    )
    .option(
      "--max-axon-bytes <size>",
      `cap on the events one axon holds (stored bytes), e.g. 500MiB; publishes past it get RESOURCE_EXHAUSTED; env OPENAXON_MAX_AXON_BYTES (default ${formatBytes(DEFAULT_MAX_AXON_BYTES).replace(" ", "")})`,
    )
    .option(
      "--retention-interval <duration>",
      `how often axons are trimmed to their retention and deleted axons' disk is freed, e.g. 30s; env OPENAXON_RETENTION_INTERVAL (default ${formatDuration(DEFAULT_RETENTION_INTERVAL_MS)})`,
    )
    .helpOption("-h, --help", "show this help")
    .addHelpText(
      "after",
      "\nCommands:\n  axond verify --data-dir D [--json]  check a stopped store for damage\n" +
        "\nHTTP endpoints besides the API:\n  GET /healthz  200 while serving, 503 while draining or the store cannot write (no key needed)\n  GET /metrics  Prometheus metrics (needs an API key when keys are configured)\n",
    )
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut, writeErr: () => {} });
}

/** `KEY` (every scope) or `KEY:scope+scope`. */
function parseApiKey(text: string): ApiKeyGrant {
  const colon = text.lastIndexOf(":");
  const key = colon === -1 ? text : text.slice(0, colon);
  if (key === "" || /\s/.test(key)) {
    throw new StartupError("API keys must be non-empty and contain no whitespace");
  }
  if (colon === -1) return { key, scopes: SCOPES };
  const scopes = text.slice(colon + 1).split("+");
  for (const scope of scopes) {
    if (!isScope(scope)) {
      throw new StartupError(
        `unknown API key scope "${scope}" (expected KEY:scope+scope with scopes ${SCOPES.join(", ")})`,
      );
    }
  }
  return { key, scopes: [...new Set(scopes)] as ApiKeyGrant["scopes"] };
}

function splitKeys(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((key) => key.trim())
    .filter((key) => key !== "");
}

function positiveInt(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^[0-9]+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1) {
    throw new StartupError(`${flag} must be a positive integer, got "${text}"`);
  }
  return value;
}

function tlsFiles(cert: string | undefined, key: string | undefined, cwd: string): TlsFiles | undefined {
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined) {
    throw new StartupError("--tls-cert and --tls-key go together: pass both (or neither)");
  }
  return { certPath: resolve(cwd, cert), keyPath: resolve(cwd, key) };
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && ["1", "true", "yes"].includes(value.trim().toLowerCase());
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

function isSandboxMode(value: string): value is SandboxMode {
  return (SANDBOX_MODES as readonly string[]).includes(value);
}

function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}
