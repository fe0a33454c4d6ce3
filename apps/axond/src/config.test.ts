import { describe, expect, it } from "vitest";
import { type AxondConfig, resolveConfig } from "./config.js";
import { StartupError } from "./startup-error.js";

const cwd = "/srv/work";

function config(argv: string[], env: Record<string, string> = {}): AxondConfig {
  const result = resolveConfig({ argv, env, cwd });
  if (result.kind !== "run") throw new Error("expected a run config");
  return result.config;
}

function failure(argv: string[], env: Record<string, string> = {}): string {
  try {
    resolveConfig({ argv, env, cwd });
  } catch (error) {
    expect(error).toBeInstanceOf(StartupError);
    return (error as Error).message;
  }
  throw new Error("expected resolveConfig to fail");
}

describe("resolveConfig", () => {
  it("takes transport limits from flags over the environment, and refuses non-integers (issue 8)", () => {
    expect(config(["--max-connections", "100"], { OPENAXON_MAX_CONNECTIONS: "7" }).maxConnections).toBe(100);
    expect(config([], { OPENAXON_MAX_CONNECTIONS: "7" }).maxConnections).toBe(7);
    expect(config(["--max-streams-per-connection", "32"]).maxStreamsPerConnection).toBe(32);
    expect(config([]).maxConnections).toBeUndefined();
    expect(failure(["--max-connections", "0x10"])).toMatch(/--max-connections must be a positive integer/);
    expect(failure(["--max-connections", "0"])).toMatch(/positive integer/);
  });

  it("reads the per-axon cap and the retention interval in human units", () => {
    expect(config(["--max-axon-bytes", "500MiB"]).maxAxonBytes).toBe(500 * 1024 ** 2);
    expect(config([], { OPENAXON_MAX_AXON_BYTES: "2GiB" }).maxAxonBytes).toBe(2 * 1024 ** 3);
    expect(config(["--retention-interval", "5m"]).retentionIntervalMs).toBe(300_000);
    expect(config([], { OPENAXON_RETENTION_INTERVAL: "30s" }).retentionIntervalMs).toBe(30_000);
    expect(failure(["--max-axon-bytes", "lots"])).toMatch(/--max-axon-bytes must be a size such as 10GiB/);
    expect(failure(["--retention-interval", "10"])).toMatch(/--retention-interval must be a duration/);
  });

  it("defaults to loopback port 7433, ./.openaxon, no keys, info logs", () => {
    expect(config([])).toEqual({
      listen: { host: "127.0.0.1", port: 7433 },
      dataDir: "/srv/work/.openaxon",
      apiKeys: [],
      allowedHosts: [],
      corsOrigins: [],
      logLevel: "info",
      sandbox: "auto",
      allowCleartext: false,
      maxAxonBytes: 10 * 1024 ** 3,
      retentionIntervalMs: 60_000,
    });
  });

  it("reads the environment", () => {
    expect(
      config([], {
        OPENAXON_LISTEN: "[::1]:9000",
        OPENAXON_DATA_DIR: "data",
        OPENAXON_API_KEYS: "k1, k2,,k3",
        OPENAXON_LOG_LEVEL: "DEBUG",
        OPENAXON_SANDBOX: "Required",
      }),
    ).toEqual({
      listen: { host: "::1", port: 9000 },
      dataDir: "/srv/work/data",
      apiKeys: ["k1", "k2", "k3"].map(all),
      allowedHosts: [],
      corsOrigins: [],
      logLevel: "debug",
      sandbox: "required",
      allowCleartext: false,
      maxAxonBytes: 10 * 1024 ** 3,
      retentionIntervalMs: 60_000,
    });
  });

  it("lets flags override the environment", () => {
    const env = {
      OPENAXON_LISTEN: "127.0.0.1:9000",
      OPENAXON_DATA_DIR: "/env/data",
      OPENAXON_API_KEYS: "env-key",
      OPENAXON_LOG_LEVEL: "debug",
      OPENAXON_SANDBOX: "required",
    };
    expect(
      config(
        [
          "--listen",
          "0.0.0.0:0",
          "--data-dir",
          "/flag/data",
          "--api-key",
          "a",
          "--api-key=b",
          "--log-level",
          "warn",
          "--sandbox",
          "off",
          "--allow-cleartext",
        ],
        env,
      ),
    ).toEqual({
      listen: { host: "0.0.0.0", port: 0 },
      dataDir: "/flag/data",
      apiKeys: ["a", "b"].map(all),
      allowedHosts: [],
      corsOrigins: [],
      logLevel: "warn",
      sandbox: "off",
      allowCleartext: true,
      maxAxonBytes: 10 * 1024 ** 3,
      retentionIntervalMs: 60_000,
    });
  });

  it("ignores empty environment variables", () => {
    expect(config([], { OPENAXON_LISTEN: "", OPENAXON_DATA_DIR: " ", OPENAXON_LOG_LEVEL: "" })).toMatchObject(
      {
        listen: { host: "127.0.0.1", port: 7433 },
        dataDir: "/srv/work/.openaxon",
        logLevel: "info",
      },
    );
  });

  it("drops repeated keys", () => {
    expect(config(["--api-key", "a", "--api-key", "a"]).apiKeys).toEqual([all("a")]);
  });

  it("refuses a non-loopback address without an API key and says how to pass one", () => {
    for (const listen of ["0.0.0.0:7433", "[::]:7433", "10.1.2.3:80", "axon.example.com:443"]) {
      const message = failure(["--listen", listen]);
      expect(message).toMatch(/without an API key/);
      expect(message).toMatch(/--api-key KEY/);
      expect(message).toMatch(/OPENAXON_API_KEYS/);
    }
    expect(failure([], { OPENAXON_LISTEN: "0.0.0.0:7433" })).toMatch(/without an API key/);
  });

  it("accepts a non-loopback address with a key from a flag or the environment", () => {
    const tls = ["--tls-cert", "c.pem", "--tls-key", "k.pem"];
    expect(config(["--listen", "0.0.0.0:7433", "--api-key", "secret", ...tls]).apiKeys).toEqual([
      all("secret"),
    ]);
    expect(config(["--listen", "0.0.0.0:7433", ...tls], { OPENAXON_API_KEYS: "secret" }).apiKeys).toEqual([
      all("secret"),
    ]);
  });

  it("rejects bad input with a clear message", () => {
    expect(failure(["--listen", "nonsense"])).toMatch(/invalid listen address "nonsense"/);
    expect(failure([], { OPENAXON_LISTEN: "127.0.0.1:99999" })).toMatch(/out of range/);
    expect(failure(["--log-level", "loud"])).toMatch(/invalid log level "loud".*info/);
    expect(failure(["--sandbox", "maybe"])).toMatch(
      /invalid sandbox mode "maybe" \(expected one of auto, required, off\)/,
    );
    expect(failure(["--data-dir", ""])).toMatch(/--data-dir must not be empty/);
    expect(failure(["--api-key", "has space"])).toMatch(/no whitespace/);
    expect(failure(["--bogus"])).toMatch(/unknown option '--bogus'/);
    expect(failure(["--listen"])).toMatch(/argument missing/);
    expect(failure(["extra"])).toMatch(/too many arguments/);
  });

  it("returns the help text for --help", () => {
    const result = resolveConfig({ argv: ["--help"], env: {}, cwd });
    expect(result.kind).toBe("help");
    if (result.kind === "help") {
      expect(result.text).toMatch(/--listen <host:port>/);
      expect(result.text).toMatch(/OPENAXON_DATA_DIR/);
      expect(result.text).toMatch(/--sandbox <mode>/);
    }
  });
});

function all(key: string) {
  return { key, scopes: ["read", "publish", "agent", "admin"] };
}

it("parses scoped keys, allowed hosts and CORS origins; refuses unknown scopes and *", () => {
  const parsed = config([
    "--api-key",
    "k:read+publish",
    "--allowed-host",
    "Axon.Internal",
    "--cors-origin",
    "https://Console.Example:443",
  ]);
  expect(parsed.apiKeys).toEqual([{ key: "k", scopes: ["read", "publish"] }]);
  expect(parsed.allowedHosts).toEqual(["axon.internal"]);
  expect(parsed.corsOrigins).toEqual(["https://console.example"]);
  expect(() => config(["--api-key", "k:root"])).toThrow(/unknown API key scope "root"/);
  expect(() => config(["--cors-origin", "*"])).toThrow(/never \*/);
});
