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

describe("TLS and cleartext settings (issue 13)", () => {
  it("takes --tls-cert/--tls-key (paths relative to the working directory) over the environment", () => {
    expect(config(["--tls-cert", "c.pem", "--tls-key", "/etc/k.pem"]).tls).toEqual({
      certPath: "/srv/work/c.pem",
      keyPath: "/etc/k.pem",
    });
    expect(config([], { OPENAXON_TLS_CERT: "/a/c.pem", OPENAXON_TLS_KEY: "k.pem" }).tls).toEqual({
      certPath: "/a/c.pem",
      keyPath: "/srv/work/k.pem",
    });
    expect(config([]).tls).toBeUndefined();
  });

  it("refuses one of the pair without the other", () => {
    expect(failure(["--tls-cert", "c.pem"])).toMatch(/--tls-cert and --tls-key go together/);
    expect(failure([], { OPENAXON_TLS_KEY: "k.pem" })).toMatch(/go together/);
  });

  it("refuses cleartext off loopback even with a key, and says how to fix it", () => {
    const message = failure(["--listen", "0.0.0.0:7433", "--api-key", "k"]);
    expect(message).toMatch(/refusing to listen on 0\.0\.0\.0:7433 in cleartext/);
    expect(message).toMatch(/--tls-cert FILE --tls-key FILE/);
    expect(message).toMatch(/--allow-cleartext/);
  });

  it("serves cleartext off loopback when the operator says TLS ends in front", () => {
    const flag = config(["--listen", "0.0.0.0:7433", "--api-key", "k", "--allow-cleartext"]);
    expect(flag.allowCleartext).toBe(true);
    const env = config(["--listen", "10.0.0.2:80", "--api-key", "k"], { OPENAXON_ALLOW_CLEARTEXT: "1" });
    expect(env.allowCleartext).toBe(true);
    // Loopback needs neither.
    expect(config([]).allowCleartext).toBe(false);
  });

  it("documents the flags in --help", () => {
    const result = resolveConfig({ argv: ["--help"], env: {}, cwd });
    expect(result.kind).toBe("help");
    const text = result.kind === "help" ? result.text : "";
    expect(text).toMatch(/--tls-cert <file>/);
    expect(text).toMatch(/--tls-key <file>/);
    expect(text).toMatch(/--allow-cleartext/);
    expect(text).toMatch(/GET \/healthz/);
    expect(text).toMatch(/GET \/metrics/);
  });
});
